import Foundation
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
    /// Paths of the entry's files relative to its folder, sorted; `meta.json` excluded.
    public var files: [String]
    /// Seconds the task took to compute.
    public var seconds: Double
    /// The task kind's metadata (its entry layout's, e.g. a decoded image's original size); nil
    /// when the kind has none.
    public var info: JSONValue?
    /// The layout of the entry's files and metadata. An entry of another format counts as absent
    /// and is recomputed under the same key; entries written before formats were numbered have
    /// none (their `meta.json` does not decode), so they are recomputed once.
    public var format: Int

    /// 2: typed metadata in `info`. (1, unnumbered: string-valued `info`.)
    public static let currentFormat = 2

    public init(key: CacheKey, kind: String, task: String, params: [String: String],
                files: [String] = [], seconds: Double = 0, info: JSONValue? = nil) {
        self.key = key
        self.kind = kind
        self.task = task
        self.params = params
        self.files = files
        self.seconds = seconds
        self.info = info
        self.format = Self.currentFormat
    }
}

/// A committed, complete cache entry.
public struct CachedEntry: Sendable {
    public let key: CacheKey
    /// The entry's folder: `<cache>/<first two hex digits>/<key>/`.
    public let directory: URL
    public let meta: CacheEntryMeta

    /// The URL of one of the entry's files.
    public func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// The contents of one of the entry's files.
    public func data(_ relativePath: String) throws -> Data {
        do {
            return try Data(contentsOf: url(relativePath))
        } catch {
            throw OutputError.io(path: url(relativePath).path, operation: "read cached file",
                                 detail: error.localizedDescription)
        }
    }

    /// One of the entry's JSON files as `T`.
    public func decode<T: Decodable>(_ type: T.Type, from relativePath: String) throws -> T {
        let bytes = try data(relativePath)
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw OutputError.corrupt(path: url(relativePath).path, detail: "\(error)")
        }
    }

    /// The entry's metadata (`meta.info`) as `T`.
    public func info<T: Decodable>(as type: T.Type) throws -> T {
        let path = url(CacheStore.metaName).path
        guard let info = meta.info else { throw OutputError.corrupt(path: path, detail: "its info is missing") }
        do {
            return try info.decoded(as: T.self)
        } catch {
            throw OutputError.corrupt(path: path, detail: "its info is not a \(T.self) (\(error))")
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
