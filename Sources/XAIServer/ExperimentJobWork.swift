import Foundation
import XAIExperiment
import XAIManifest
import XAIPlanner

/// A job's experiment run exactly as `xai run` runs one: the runner the CLI's factory builds,
/// the planner's executor and the shared content-addressed cache. The run blocks a thread for
/// its whole length, so it gets its own thread rather than one of the concurrency pool's.
enum ExperimentJobWork {
    static func make(_ factory: @escaping RunnerFactory) -> JobWork {
        { experiment, progress in
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Manifest, Error>) in
                Thread.detachNewThread {
                    done.resume(with: Result {
                        let result = try factory(experiment).run(RunOptions(), progress: progress)
                        guard result.report.succeeded else {
                            throw JobFailure(messages: result.report.failures.map { "\($0.id): \($0.message)" })
                        }
                        return result.manifest
                    })
                }
            }
        }
    }
}

/// Tasks of a job that failed, each with the planner's message.
struct JobFailure: Error, CustomStringConvertible {
    let messages: [String]
    var description: String { "\(messages.count) task(s) failed: " + messages.joined(separator: "; ") }
}
