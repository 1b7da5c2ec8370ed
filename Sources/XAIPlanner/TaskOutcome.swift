import Foundation

/// What happened to one task in a run.
public enum TaskOutcome: Sendable {
    /// Results came from the cache.
    case cached(CachedEntry)
    /// Computed and committed to the cache in `seconds`.
    case ran(CachedEntry, seconds: Double)
    /// The task threw; `message` is the error's description.
    case failed(message: String)
    /// Not run because a task it depends on failed (that task's id).
    case skipped(failedDependency: String)
    /// Not started because the run stopped at an earlier failure (no `--keep-going`).
    case cancelled
    /// Not selected by `--only` and not needed by a selected task, and not in the cache.
    case filteredOut

    /// The committed results, when there are any.
    public var entry: CachedEntry? {
        switch self {
        case let .cached(e), let .ran(e, _): return e
        default: return nil
        }
    }

    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }
}

/// The outcome of every task of a run.
public struct ExecutionReport: Sendable {
    /// Outcomes by task id.
    public var outcomes: [String: TaskOutcome]
    /// Wall-clock seconds of the whole run.
    public var seconds: Double
    /// Tasks whose cache entry was damaged (and so ran again), with what was wrong.
    public var damaged: [String: CacheDamage]

    public init(outcomes: [String: TaskOutcome], seconds: Double, damaged: [String: CacheDamage] = [:]) {
        self.outcomes = outcomes
        self.seconds = seconds
        self.damaged = damaged
    }

    /// One line per damaged entry that was recomputed, sorted by task id: what the run says
    /// about repairing the cache (once; the next run finds the entry whole).
    public var repairNotices: [String] {
        damaged.sorted { $0.key < $1.key }.compactMap { id, damage in
            guard case let .ran(entry, _) = outcomes[id] else { return nil }
            return "cache entry \(entry.key.prefix()) for task \(id) was damaged (\(damage)); recomputed"
        }
    }

    /// Failed tasks as (id, message), sorted by id.
    public var failures: [(id: String, message: String)] {
        outcomes.compactMap { id, o -> (id: String, message: String)? in
            if case let .failed(m) = o { return (id, m) }
            return nil
        }.sorted { $0.id < $1.id }
    }

    /// True when no task failed, was skipped or was cancelled.
    public var succeeded: Bool {
        outcomes.values.allSatisfy {
            switch $0 {
            case .failed, .skipped, .cancelled: return false
            default: return true
            }
        }
    }

    /// Ids per outcome name ("cached", "ran", "failed", "skipped", "cancelled", "filtered"), sorted.
    public var summary: [String: [String]] {
        var s = [String: [String]]()
        for (id, o) in outcomes {
            let name: String
            switch o {
            case .cached: name = "cached"
            case .ran: name = "ran"
            case .failed: name = "failed"
            case .skipped: name = "skipped"
            case .cancelled: name = "cancelled"
            case .filteredOut: name = "filtered"
            }
            s[name, default: []].append(id)
        }
        return s.mapValues { $0.sorted() }
    }
}

/// What a running task can use.
public struct TaskContext: Sendable {
    public let task: TaskSpec
    /// An empty folder to write the task's files into; committed to the cache when the task returns.
    public let outputDirectory: URL
    /// Results of the task's dependencies, by id.
    public let dependencies: [String: CachedEntry]
    let progressSink: (@Sendable (Double) -> Void)?

    public init(task: TaskSpec, outputDirectory: URL, dependencies: [String: CachedEntry],
                progress: (@Sendable (Double) -> Void)? = nil) {
        self.task = task
        self.outputDirectory = outputDirectory
        self.dependencies = dependencies
        self.progressSink = progress
    }

    /// Reports the fraction (0...1) of the task done, for the progress bar.
    public func progress(_ fraction: Double) { progressSink?(fraction) }

    /// The result of dependency `id` (the id `TaskGraph.add` returned for it).
    public func dependency(_ id: String) throws -> CachedEntry {
        guard let e = dependencies[id] else {
            throw PlannerError.unknownDependency(task: task.id, dependency: id)
        }
        return e
    }
}
