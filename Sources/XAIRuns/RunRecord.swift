import Foundation
import GRDB
import XAIManifest
import XAIPlanner

/// One `xai run`: what ran, from which revision and experiment, and how it ended. A row of the
/// `run` table; its tasks are `RunTask` rows and its manifest a `StoredManifest` row.
public struct RunRecord: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run"

    /// `RunID`: start time plus random digits.
    public var id: String
    /// The experiment's name (its folder under `Outputs/`).
    public var experiment: String
    /// The experiment file as given on the command line.
    public var file: String
    public var startedAt: Date
    public var endedAt: Date
    /// The process's exit status: 0 when every task succeeded, 1 when some failed.
    public var exitStatus: Int
    /// HEAD's commit hash when `xai` ran inside a git repository.
    public var gitRevision: String?
    /// Whether that work tree had changes.
    public var gitDirty: Bool?
    /// SHA-256 of the resolved experiment's content (`RunRecord.experimentHash`).
    public var experimentHash: String
    /// The `--set KEY=VALUE` overrides, in order.
    public var overrides: [String]
    /// SHA-256 of the run's `manifest.json` (the key of its `StoredManifest`).
    public var manifestHash: String
    /// Tasks of the run, those taken from the cache and those that failed.
    public var taskCount: Int
    public var cachedCount: Int
    public var failedCount: Int
    /// Wall-clock seconds of the execution.
    public var seconds: Double
    /// Pinned runs keep their cache entries through `xai gc`.
    public var pinned: Bool

    public init(id: String, experiment: String, file: String, startedAt: Date, endedAt: Date, exitStatus: Int,
                git: GitState?, experimentHash: String, overrides: [String], manifestHash: String,
                taskCount: Int, cachedCount: Int, failedCount: Int, seconds: Double, pinned: Bool = false) {
        self.id = id
        self.experiment = experiment
        self.file = file
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitStatus = exitStatus
        self.gitRevision = git?.revision
        self.gitDirty = git?.dirty
        self.experimentHash = experimentHash
        self.overrides = overrides
        self.manifestHash = manifestHash
        self.taskCount = taskCount
        self.cachedCount = cachedCount
        self.failedCount = failedCount
        self.seconds = seconds
        self.pinned = pinned
    }

    /// `abc1234` or `abc1234+` (dirty), empty outside git: the revision column of `xai runs`.
    public var shortRevision: String {
        guard let r = gitRevision else { return "" }
        return String(r.prefix(7)) + (gitDirty == true ? "+" : "")
    }
}

/// A run's `manifest.json`, stored once however many runs wrote the same bytes.
public struct StoredManifest: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "manifest"

    /// SHA-256 of `json`.
    public var hash: String
    /// The manifest as written (sorted keys).
    public var json: Data

    public init(json: Data) {
        hash = ContentHash.sha256(json)
        self.json = json
    }
}

/// One task of a run: its cache key, whether the run took it from the cache, and its time.
public struct RunTask: Codable, Equatable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run_task"

    public var runID: String
    /// The task's id (`chelsea/gradcam`, `chelsea/gradcam/overlay`, ...).
    public var task: String
    /// Task kind (`decode`, `predict`, `explain`, `metric`, `render`), from its cache entry; nil
    /// when the task produced no results.
    public var kind: String?
    /// The cache key of its results; nil when the task produced none (failed, skipped, filtered out).
    public var key: String?
    /// `cached`, `ran`, `failed`, `skipped`, `cancelled` or `filtered`.
    public var outcome: String
    /// Seconds the computation took (when it was computed, also for cached results); 0 without results.
    public var seconds: Double

    public init(runID: String, task: String, kind: String?, key: String?, outcome: String, seconds: Double) {
        self.runID = runID
        self.task = task
        self.kind = kind
        self.key = key
        self.outcome = outcome
        self.seconds = seconds
    }
}
