import Foundation
import XAIManifest
import XAIPlanner

extension RunRecord {
    /// The record of a finished run, its manifest and its tasks, from what `ExperimentRunner.run` returned.
    /// - Parameters:
    ///   - file: the experiment file as given; `overrides`: its `--set` values.
    ///   - git: the repository state `xai` ran in (nil outside git).
    public static func make(id: String, result: RunResult, file: String, overrides: [String], startedAt: Date,
                            endedAt: Date, git: GitState?) throws -> NewRun {
        let manifest = StoredManifest(json: try result.manifest.encoded())
        // The outcome names are the executor's (`ExecutionReport.summary`), so they are spelled once.
        var tasks = [RunTask]()
        for (outcome, ids) in result.report.summary {
            for task in ids {
                let entry = result.report.outcomes[task]?.entry
                let seconds: Double
                switch result.report.outcomes[task] {
                case let .ran(_, s): seconds = s
                case let .cached(e): seconds = e.meta.seconds
                default: seconds = 0
                }
                tasks.append(RunTask(runID: id, task: task, kind: entry?.meta.kind, key: entry?.key.hex,
                                     outcome: outcome, seconds: seconds))
            }
        }
        tasks.sort { $0.task < $1.task }
        let record = RunRecord(
            id: id, experiment: result.manifest.name, file: file, startedAt: startedAt, endedAt: endedAt,
            exitStatus: result.report.succeeded ? 0 : 1, git: git,
            experimentHash: try experimentHash(result.manifest.experiment, name: result.manifest.name),
            overrides: overrides, manifestHash: manifest.hash,
            taskCount: tasks.count, cachedCount: tasks.filter { $0.outcome == RunTask.cached }.count,
            failedCount: tasks.filter { $0.outcome == RunTask.failed }.count, seconds: result.report.seconds)
        return NewRun(record: record, manifest: manifest, tasks: tasks)
    }

    /// Members of the encoded experiment that say where it was read from (file names, line
    /// numbers, the `--set` text), not what it is; its hash leaves them out.
    static let provenance: Set<String> = ["file", "sourceFiles", "locations", "overrides"]

    /// SHA-256 of the resolved experiment (the manifest's `experiment`, keys sorted, without
    /// `provenance`): equal for runs of equal content, wherever and however it was written.
    static func experimentHash(_ experiment: JSONValue, name: String) throws -> String {
        var content = experiment
        if case var .object(members) = experiment {
            for key in provenance { members[key] = nil }
            content = .object(members)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return ContentHash.sha256(try encoder.encode(content))
        } catch {
            throw OutputError.invalidValue(context: "experiment \(name)", detail: "\(error)")
        }
    }
}

/// What `RunStore.record` stores for one run.
public struct NewRun: Sendable {
    public var record: RunRecord
    public var manifest: StoredManifest
    public var tasks: [RunTask]

    public init(record: RunRecord, manifest: StoredManifest, tasks: [RunTask]) {
        self.record = record
        self.manifest = manifest
        self.tasks = tasks
    }
}

extension RunTask {
    /// Outcome names of `ExecutionReport.summary` that the run table counts.
    static let cached = "cached"
    static let failed = "failed"
}
