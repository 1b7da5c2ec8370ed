import Foundation
import XAIExperiment
import XAIManifest
import XAIPlanner
import XAIRuns

/// A job's experiment run exactly as `xai run` runs one: the runner the CLI's factory builds,
/// the planner's executor and the shared content-addressed cache, and recorded in the run
/// history of the outputs folder like a run of `xai run` (so `xai runs` lists it and `xai gc`
/// keeps its results while it is pinned or among the last runs). The run blocks a thread for its
/// whole length, so it gets its own thread rather than one of the concurrency pool's.
enum ExperimentJobWork {
    static func make(_ factory: @escaping RunnerFactory) -> JobWork {
        { experiment, progress in
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<JobOutcome, Error>) in
                Thread.detachNewThread {
                    done.resume(with: Result {
                        let startedAt = Date()
                        let result = try factory(experiment).run(RunOptions(), progress: progress)
                        var outcome = JobOutcome(manifest: result.manifest)
                        do {
                            outcome.run = try record(result, file: experiment.file, startedAt: startedAt)
                        } catch {
                            // As with `xai run`: the results are in place, only their record is missing.
                            outcome.historyError = "the job was not recorded in the run history: \(error)"
                        }
                        guard result.report.succeeded else {
                            throw JobFailure(messages: result.report.failures.map { "\($0.id): \($0.message)" }, run: outcome.run)
                        }
                        return outcome
                    })
                }
            }
        }
    }

    /// Stores `result` in the history beside its output folder; returns the new run's id.
    /// The git state is the server's working folder's, as `xai run` records its own.
    static func record(_ result: RunResult, file: String, startedAt: Date) throws -> String {
        let store = try RunStore(outputs: result.folder.deletingLastPathComponent())
        let run = try RunRecord.make(id: RunID.make(at: startedAt), result: result, file: file, overrides: [],
                                     startedAt: startedAt, endedAt: Date(),
                                     git: GitState.probe(in: URL(fileURLWithPath: ".")))
        try store.record(run)
        return run.record.id
    }
}

/// Tasks of a job that failed, each with the planner's message, and the run the job was recorded as.
struct JobFailure: Error, CustomStringConvertible {
    let messages: [String]
    let run: String?
    var description: String { "\(messages.count) task(s) failed: " + messages.joined(separator: "; ") }
}
