import Foundation
import XAIPlanner

/// Turns the executor's events (from its worker threads) into job progress: tasks finished of
/// the plan, plus the mean fraction done of the tasks running now.
final class JobProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private let send: @Sendable (JobSnapshot.Progress) -> Void
    private var total = 0, finished = 0
    private var running: [String: Double] = [:]

    init(_ send: @escaping @Sendable (JobSnapshot.Progress) -> Void) { self.send = send }

    func started(total: Int, cached: Int, toRun: Int) { change { self.total = total } }
    func taskStarted(_ task: TaskSpec) { change { self.running[task.id] = 0 } }
    func taskProgress(_ task: TaskSpec, fraction: Double) { change { self.running[task.id] = min(1, max(0, fraction)) } }
    func taskFinished(_ task: TaskSpec, outcome: TaskOutcome, finished: Int) {
        change {
            self.running[task.id] = nil
            self.finished = finished
        }
    }
    func finished(_ report: ExecutionReport) {}

    private func change(_ body: () -> Void) {
        lock.lock()
        body()
        let inFlight = running.values.reduce(0, +)
        let p = JobSnapshot.Progress(total: total, finished: finished,
                                     fraction: total == 0 ? 0 : min(1, (Double(finished) + inFlight) / Double(total)))
        lock.unlock()
        send(p)
    }
}
