import Foundation
import XAIManifest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What is wrong with a cache entry: one of its files (or its `meta.json`, by path relative to
/// the entry's folder) and how it differs from what the entry recorded. A damaged entry is never
/// used: the executor recomputes it and says so once.
public enum CacheDamage: Error, CustomStringConvertible, Equatable, Sendable {
    /// The entry does not list a file its kind needs (e.g. an empty file list).
    case notInEntry(file: String)
    case missing(file: String)
    /// A folder, a link or a device where a regular file was recorded.
    case notARegularFile(file: String)
    case wrongSize(file: String, size: Int, expected: Int)
    /// Same size, other bytes: an edit in place or a bad disk.
    case contentsDiffer(file: String)
    case unreadable(file: String, detail: String)
    /// Bytes as recorded that still cannot be used: not the JSON or array the kind writes, NaN
    /// in a map, `meta.json` of another key.
    case invalid(file: String, detail: String)

    /// The damaged file, relative to the entry's folder.
    public var file: String {
        switch self {
        case let .notInEntry(f), let .missing(f), let .notARegularFile(f), let .wrongSize(f, _, _), let .contentsDiffer(f),
             let .unreadable(f, _), let .invalid(f, _):
            return f
        }
    }

    public var description: String {
        switch self {
        case let .notInEntry(f): return "\(f): not in the entry"
        case let .missing(f): return "\(f): missing"
        case let .notARegularFile(f): return "\(f): not a regular file"
        case let .wrongSize(f, size, expected): return "\(f): size \(size), expected \(expected)"
        case let .contentsDiffer(f): return "\(f): contents differ from the recorded SHA-256"
        case let .unreadable(f, detail): return "\(f): cannot be read (\(detail))"
        case let .invalid(f, detail): return "\(f): \(detail)"
        }
    }
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

    /// Checks, without reading it, that `url` (the entry's `file`) is a regular file of the
    /// recorded size: what every use checks, and what bounds a read before it allocates.
    func checkOnDisk(_ url: URL, file: String) throws {
        var st = stat()
        guard lstat(url.path, &st) == 0 else {
            if errno == ENOENT { throw CacheDamage.missing(file: file) }
            throw CacheDamage.unreadable(file: file, detail: String(cString: strerror(errno)))
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw CacheDamage.notARegularFile(file: file) }
        guard Int(st.st_size) == size else { throw CacheDamage.wrongSize(file: file, size: Int(st.st_size), expected: size) }
    }

    /// Checks that `data`, read from `file`, is what was recorded.
    func check(_ data: Data, file: String) throws {
        guard data.count == size else { throw CacheDamage.wrongSize(file: file, size: data.count, expected: size) }
        guard ContentHash.sha256(data) == sha256 else { throw CacheDamage.contentsDiffer(file: file) }
    }
}
