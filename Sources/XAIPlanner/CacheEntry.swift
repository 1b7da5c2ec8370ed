import Foundation
import XAICore
import XAIManifest

/// What a cache entry records about the task that produced it (`meta.json`).
public struct CacheEntryMeta: Codable, Equatable, Sendable {
    /// The entry's key (checked against its folder name on lookup).
    public var key: CacheKey
    /// Task kind, e.g. "explain".
    public var kind: String
    /// Id of the task that produced it (informational: ids are not part of the key).
    public var task: String
    /// The fully resolved parameters of that task.
    public var params: [String: String]
    /// The entry's files by path relative to its folder (`meta.json` excluded), with the size
    /// and SHA-256 each had when committed.
    public var files: [String: CachedFile]
    /// Seconds the task took to compute.
    public var seconds: Double
    /// The task's `MeasuredCosts` class (kind, version, model and parameters, not the image), so
    /// that later plans can estimate tasks like it; nil in entries written before it was recorded.
    public var costClass: String?
    /// The task kind's metadata (its entry layout's, e.g. a decoded image's original size); nil
    /// when the kind has none.
    public var info: JSONValue?
    /// The layout of the entry's files and metadata. An entry of another format counts as absent
    /// and is recomputed under the same key; entries written before formats were numbered have
    /// none (their `meta.json` does not decode), so they are recomputed once.
    public var format: Int

    /// 3: each file's size and SHA-256 in `files`. (2: a list of names; 1, unnumbered:
    /// string-valued `info`.)
    public static let currentFormat = 3

    public init(key: CacheKey, kind: String, task: String, params: [String: String],
                files: [String: CachedFile] = [:], seconds: Double = 0, costClass: String? = nil, info: JSONValue? = nil) {
        self.key = key
        self.kind = kind
        self.task = task
        self.params = params
        self.files = files
        self.seconds = seconds
        self.costClass = costClass
        self.info = info
        self.format = Self.currentFormat
    }
}

/// A committed, complete cache entry. Its files are untrusted until read through it: every
/// read checks the file against the size and SHA-256 the entry recorded, and a file that
/// differs, or that does not parse, is reported as `CacheDamage`.
public struct CachedEntry: Equatable, Sendable {
    public let key: CacheKey
    /// The entry's folder: `<cache>/<first two hex digits>/<key>/`.
    public let directory: URL
    public let meta: CacheEntryMeta

    /// The URL of one of the entry's files.
    public func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// Whether the entry lists the file.
    public func contains(_ relativePath: String) -> Bool { meta.files[relativePath] != nil }

    /// The contents of one of the entry's files, checked against its recorded size and hash.
    /// - Throws: `CacheDamage` when the file is not listed, not a regular file, or differs.
    public func data(_ relativePath: String) throws -> Data {
        guard let record = meta.files[relativePath] else { throw CacheDamage.notInEntry(file: relativePath) }
        try record.checkOnDisk(url(relativePath), file: relativePath)
        let data: Data
        do {
            data = try Data(contentsOf: url(relativePath))
        } catch {
            throw CacheDamage.unreadable(file: relativePath, detail: OutputError.describe(error))
        }
        try record.check(data, file: relativePath)
        return data
    }

    /// Reads every file of the entry, checking each against its record.
    public func verifyFiles() throws {
        for name in meta.files.keys.sorted() { _ = try data(name) }
    }

    /// One of the entry's `.npy` files, checked as `data` does; with `finite`, NaN or infinite
    /// values count as damage too.
    public func array(_ relativePath: String, finite: Bool = false) throws -> Tensor {
        let tensor: Tensor
        do {
            tensor = try NPY.decode(try data(relativePath), path: relativePath)
        } catch let error as OutputError {
            if case let .npy(_, detail) = error { throw CacheDamage.invalid(file: relativePath, detail: detail) }
            throw CacheDamage.invalid(file: relativePath, detail: "\(error)")
        }
        if finite, !tensor.data.allSatisfy(\.isFinite) {
            throw CacheDamage.invalid(file: relativePath, detail: "contains NaN or infinite values")
        }
        return tensor
    }

    /// One of the entry's JSON files as `T`; `what` names `T` in the damage report.
    public func decode<T: Decodable>(_ type: T.Type, from relativePath: String, what: String) throws -> T {
        let bytes = try data(relativePath)
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw CacheDamage.invalid(file: relativePath, detail: "not \(what)")
        }
    }

    /// The entry's metadata (`meta.info`) as `T`.
    public func info<T: Decodable>(as type: T.Type) throws -> T {
        guard let info = meta.info else { throw CacheDamage.invalid(file: CacheStore.metaName, detail: "its info is missing") }
        do {
            return try info.decoded(as: T.self)
        } catch {
            throw CacheDamage.invalid(file: CacheStore.metaName, detail: "its info is not a \(T.self)")
        }
    }
}

/// What `CacheStore.gc` removed (or would remove, in a dry run).
public struct GCReport: Equatable, Sendable {
    /// Entries not referenced by any kept key, sorted.
    public var removedEntries: [CacheKey]
    /// Leftover staging folders of runs that died, sorted.
    public var removedTemporaries: [String]
    /// Total size of what was removed, in bytes.
    public var bytes: Int64
    /// Size of each removed entry, in bytes.
    public var entryBytes: [CacheKey: Int64] = [:]
    public var dryRun: Bool
}

/// Points in `CacheStore.commit` where tests can inject a failure.
public enum CommitStage: Sendable {
    /// The task's files and `meta.json` are in the staging folder; nothing is visible yet.
    case beforeRename
}
