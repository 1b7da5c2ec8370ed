/// The most tasks an experiment's graph can hold, counted before any run is made, so that a
/// sweep that would need billions of tasks (or overflow a count) fails at once with one error
/// instead of allocating until the machine runs out of memory (issue 14, item 5).
///
/// Per image and model: one decode and one predict task, then per method run and target rank
/// one explain, one render and one task per metric (`ExperimentGraph`). Joint runs have fewer
/// explain tasks, and not every metric applies to every method, so this is an upper bound.
struct TaskBudget {
    /// `max_tasks:` when the experiment does not set it.
    static let defaultLimit = 100_000

    var images: Int
    var models: Int
    var topK: Int
    var metrics: Int
    /// The largest accepted total (`max_tasks:`).
    var limit: Int

    /// Tasks for `runs` method runs in all, or nil when the count overflows `Int`.
    func tasks(runs: Int) -> Int? {
        var perPair = runs
        for factor in [topK, 2 + metrics] {
            let (p, overflow) = perPair.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            perPair = p
        }
        let (withStages, o1) = perPair.addingReportingOverflow(2)
        let (pairs, o2) = images.multipliedReportingOverflow(by: models)
        let (total, o3) = pairs.multipliedReportingOverflow(by: withStages)
        return o1 || o2 || o3 ? nil : total
    }

    /// How the total comes about, for the error message.
    func formula(runs: Int) -> String {
        "\(images) image(s) x \(models) model(s) x (2 + \(runs) run(s) x top_k \(topK) x (2 + \(metrics) metric(s)))"
    }

    /// The product of `counts`, or nil when it overflows `Int` (six sweep axes of 10,000 values
    /// reach 10^24).
    static func product(_ counts: [Int]) -> Int? {
        var result = 1
        for c in counts {
            let (p, overflow) = result.multipliedReportingOverflow(by: c)
            if overflow { return nil }
            result = p
        }
        return result
    }
}
