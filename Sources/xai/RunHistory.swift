import Foundation
import XAIPlanner
import XAIRuns

/// Records each `xai run` in the history of its outputs folder.
enum RunHistory {
    /// Stores `result` as a new run and prints its id. A history that cannot be written does not
    /// undo the run (its results and manifest are in place), so it is a warning, not a failure.
    static func record(_ result: RunResult, file: String, overrides: [String], startedAt: Date) {
        do {
            let store = try RunStore(outputs: result.folder.deletingLastPathComponent())
            let run = try RunRecord.make(
                id: RunID.make(at: startedAt), result: result, file: file, overrides: overrides,
                startedAt: startedAt, endedAt: Date(), git: GitState.probe(in: URL(fileURLWithPath: ".")))
            try store.record(run)
            printOut("run:      \(run.record.id) (`xai runs \(result.manifest.name)` lists the runs)")
        } catch {
            printError("warning: the run was not recorded in the run history: \(error)")
        }
    }
}
