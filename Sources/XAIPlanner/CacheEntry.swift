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
    /// Small extra values a task wants to keep (e.g. a predicted label).
    public var info: [String: String]

    public init(key: CacheKey, kind: String, task: String, params: [String: String],
                files: [String] = [], seconds: Double = 0, info: [String: String] = [:]) {
        self.key = key
        self.kind = kind
        self.task = task
        self.params = params
        self.files = files
        self.seconds = seconds
        self.info = info
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
