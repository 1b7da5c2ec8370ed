import Foundation

/// The time left of a run, from each task's estimated cost (`TaskCost`) corrected by the
/// seconds the finished tasks took.
///
/// Counting tasks misleads: a plan that starts with a LIME explanation (20 s) and continues with
/// three hundred overlays (0.1 s each) would promise an hour. Instead each task that will run has
/// an expected duration: the mean of the finished tasks of its class (`MeasuredCosts.costClass`:
/// the same work on another image), else its cost units times the seconds per unit measured so far.
/// The time left is then `elapsed * left / done`, with both sides in those expected seconds:
/// the ratio absorbs tasks running side by side and the executor's own overhead.
public struct RemainingTime: Sendable {
    private struct Pending: Sendable {
        var cls: String
        var units: Double
        var fraction = 0.0
    }

    private var pending = [String: Pending]()
    private var classSeconds = [String: (sum: Double, count: Int)]()
    /// Over the finished tasks: their seconds and their cost units.
    private var measuredSeconds = 0.0, measuredUnits = 0.0

    /// - Parameter costs: cost units by task id; tasks it lacks count one unit.
    public init(tasks: [TaskSpec], costs: TaskCost?) {
        for t in tasks {
            pending[t.id] = Pending(cls: MeasuredCosts.costClass(t), units: Double(max(1, costs?[t.id] ?? 1)))
        }
    }

    public mutating func progress(_ id: String, fraction: Double) {
        pending[id]?.fraction = min(1, max(0, fraction))
    }

    /// Task `id` finished after `seconds` of its own; `seconds` nil for a task that failed or was
    /// skipped (it leaves the plan, teaching nothing about its class).
    public mutating func finished(_ id: String, seconds: Double?) {
        guard let p = pending.removeValue(forKey: id), let seconds else { return }
        classSeconds[p.cls, default: (0, 0)].sum += seconds
        classSeconds[p.cls, default: (0, 0)].count += 1
        measuredSeconds += seconds
        measuredUnits += p.units
    }

    /// Seconds left after `elapsed` seconds of the run; nil until a task has finished.
    public func secondsLeft(elapsed: TimeInterval) -> TimeInterval? {
        expectedSeconds().map { elapsed * $0.left / $0.done }
    }

    /// The share of the run's expected seconds that is done (what a progress bar should show:
    /// a count of tasks would jump through three hundred overlays and crawl through one LIME);
    /// nil until a task has finished.
    public func fractionDone() -> Double? {
        expectedSeconds().map { $0.done / ($0.done + $0.left) }
    }

    /// Expected seconds of the work left and of the work done, in the units of `secondsLeft`.
    private func expectedSeconds() -> (left: Double, done: Double)? {
        guard measuredUnits > 0 else { return nil }
        let perUnit = measuredSeconds / measuredUnits
        var left = 0.0, doneSoFar = measuredSeconds
        for p in pending.values {
            let expected = classSeconds[p.cls].map { $0.sum / Double($0.count) } ?? p.units * perUnit
            left += expected * (1 - p.fraction)
            doneSoFar += expected * p.fraction
        }
        guard doneSoFar > 0 else { return nil }
        return (left, doneSoFar)
    }
}
