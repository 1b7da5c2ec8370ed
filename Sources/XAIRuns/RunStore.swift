import Foundation
import GRDB
import XAIManifest

/// The run history of an outputs folder: `Outputs/.runs.sqlite`, one SQLite database in WAL
/// mode shared by every experiment there, so concurrent runs of different experiments can
/// record while `xai runs` reads.
public final class RunStore: @unchecked Sendable {
    /// The database file.
    public let url: URL
    let db: DatabaseQueue

    public static let fileName = ".runs.sqlite"

    /// Opens (creating when missing) the history of `outputs` and brings its schema up to date.
    public convenience init(outputs: URL) throws {
        try self.init(url: outputs.appendingPathComponent(Self.fileName))
    }

    /// The existing history of `outputs`, or nil when there is none: commands that only read
    /// it never create one.
    public static func existing(outputs: URL) throws -> RunStore? {
        let url = outputs.appendingPathComponent(fileName)
        return FileManager.default.fileExists(atPath: url.path) ? try RunStore(url: url) : nil
    }

    public init(url: URL) throws {
        self.url = url
        var config = Configuration()
        config.journalMode = .wal
        config.foreignKeysEnabled = true
        // Another run committing its record holds the lock for milliseconds; wait rather than fail.
        config.busyMode = .timeout(10)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            db = try DatabaseQueue(path: url.path, configuration: config)
            try Self.migrator.migrate(db)
        } catch {
            throw RunsError.database(path: url.path, operation: "open", detail: "\(error)")
        }
    }

    /// Stores a run with its manifest (unless an equal one is stored) and its tasks in one transaction.
    public func record(_ run: NewRun) throws {
        try write("record a run in") { db in
            try run.manifest.insert(db, onConflict: .ignore)
            try run.record.insert(db)
            for t in run.tasks { try t.insert(db) }
        }
    }

    /// The manifest `run` wrote, checked against its hash.
    /// - Throws: `RunsError.corruptRecord` when it is missing, altered or not a manifest.
    public func manifest(of run: RunRecord) throws -> Manifest {
        let stored = try read { db in try StoredManifest.fetchOne(db, key: run.manifestHash) }
        guard let stored, StoredManifest(json: stored.json).hash == run.manifestHash else {
            throw RunsError.corruptRecord(id: run.id, detail: "its manifest is missing or does not match its hash")
        }
        do {
            return try JSONDecoder().decode(Manifest.self, from: stored.json)
        } catch {
            throw RunsError.corruptRecord(id: run.id, detail: "\(error)")
        }
    }

    /// Runs, newest first; only those of `experiment` when given.
    public func runs(experiment: String? = nil, limit: Int? = nil) throws -> [RunRecord] {
        try read { db in
            var request = RunRecord.order(Column("id").desc)
            if let experiment { request = request.filter(Column("experiment") == experiment) }
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// The run with exactly this id, or nil.
    public func run(id: String) throws -> RunRecord? {
        try read { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// A run's tasks, sorted by task id.
    public func tasks(of runID: String) throws -> [RunTask] {
        try read { db in
            try RunTask.filter(Column("runID") == runID).order(Column("task")).fetchAll(db)
        }
    }

    /// Pins or unpins a run.
    /// - Throws: `RunsError.unknownRun` when no run has this id.
    public func setPinned(_ pinned: Bool, id: String) throws {
        let changed = try write("pin a run in") { db in
            try RunRecord.filter(Column("id") == id).updateAll(db, Column("pinned").set(to: pinned))
        }
        guard changed == 1 else { throw RunsError.unknownRun(reference: id, hint: "`xai runs` lists the run ids") }
    }

    /// The runs `xai gc` keeps, as a common table `kept` (ids) for the queries below: every
    /// pinned run and the newest `keepLast` runs of each experiment (the one argument).
    private static let keptRuns = """
        WITH ranked AS (
            SELECT id, pinned, ROW_NUMBER() OVER (PARTITION BY experiment ORDER BY id DESC) AS age FROM run),
        kept AS (SELECT id FROM ranked WHERE pinned OR age <= ?)
        """

    /// The cache keys `xai gc` must keep: those of every pinned run and of the newest
    /// `keepLast` runs of each experiment.
    public func keysToKeep(keepLast: Int) throws -> Set<String> {
        try read { db in
            let keys = try String.fetchAll(db, sql: Self.keptRuns + """

                SELECT DISTINCT key FROM run_task WHERE key IS NOT NULL AND runID IN (SELECT id FROM kept)
                """, arguments: [max(0, keepLast)])
            return Set(keys)
        }
    }

    /// When the oldest run that `keysToKeep(keepLast:)` keeps started; nil when it keeps none.
    /// `xai gc` keeps the intermediate results used since then.
    public func oldestKeptStart(keepLast: Int) throws -> Date? {
        try read { db in
            try Date.fetchOne(db, sql: Self.keptRuns + """

                SELECT MIN(startedAt) FROM run WHERE id IN (SELECT id FROM kept)
                """, arguments: [max(0, keepLast)])
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try db.read(body)
        } catch {
            throw RunsError.database(path: url.path, operation: "read", detail: "\(error)")
        }
    }

    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try db.write(body)
        } catch {
            throw RunsError.database(path: url.path, operation: operation, detail: "\(error)")
        }
    }
}
