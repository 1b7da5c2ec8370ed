import Foundation

/// What is wrong with a cache entry: one of its files (or its `meta.json`) and how it differs
/// from what the entry recorded. A damaged entry is never used: the executor recomputes it.
public struct CacheDamage: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file, relative to the entry's folder (`map.npy`, `images/0/explanation.json`).
    public var file: String
    /// What is wrong with it (`size 99872, expected 200704`).
    public var detail: String

    public init(file: String, detail: String) {
        self.file = file
        self.detail = detail
    }

    public var description: String { "\(file): \(detail)" }
}

/// What the cache holds under a key.
public enum CacheLookup: Equatable, Sendable {
    /// No entry, or one of an older format (recomputed without comment).
    case absent
    /// A complete entry whose files have their recorded sizes (contents are checked when read).
    case found(CachedEntry)
    /// An entry that cannot be used.
    case damaged(CacheDamage)

    /// The entry when found.
    public var entry: CachedEntry? {
        if case let .found(e) = self { return e }
        return nil
    }
}

/// The size and SHA-256 of one of an entry's files, recorded when the entry is committed.
public struct CachedFile: Codable, Equatable, Sendable {
    public var size: Int
    public var sha256: String

    public init(size: Int, sha256: String) {
        self.size = size
        self.sha256 = sha256
    }

    /// The record of `data`.
    public init(of data: Data) {
        self.init(size: data.count, sha256: ContentHash.sha256(data))
    }

    /// Checks that `data`, read from `file`, is what was recorded.
    func check(_ data: Data, file: String) throws {
        guard data.count == size else { throw CacheDamage(file: file, detail: "size \(data.count), expected \(size)") }
        guard ContentHash.sha256(data) == sha256 else {
            throw CacheDamage(file: file, detail: "contents differ from the recorded SHA-256")
        }
    }
}
