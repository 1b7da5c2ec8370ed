import Foundation
import XAIManifest

/// How `Executor.run` behaves (the `xai run` flags).
public struct ExecutorOptions: Sendable {
    /// Worker threads (`-j N`); at least 1.
    public var jobs: Int
    /// Recompute selected tasks even when cached (`--force`).
    public var force: Bool
    /// After a failure, finish every task that does not depend on it (`--keep-going`);
    /// otherwise start no new task once one failed.
    public var keepGoing: Bool
    /// How many tasks of each resource class may run at once; classes not listed are unlimited.
    public var resourceLimits: [ResourceClass: Int]

    public init(jobs: Int = 2, force: Bool = false, keepGoing: Bool = false,
                resourceLimits: [ResourceClass: Int] = [.engine: 1]) {
        self.jobs = max(1, jobs)
        self.force = force
        self.keepGoing = keepGoing
        self.resourceLimits = resourceLimits
    }
}

/// Runs a task graph: cached tasks are taken from the cache, the others run on `jobs`
/// worker threads as soon as their dependencies are done, each committing its results to
/// the cache the moment it finishes, so a killed run loses only the tasks in progress.
public final class Executor: @unchecked Sendable {
    /// Computes one task by writing its files into `context.outputDirectory`; returns the
    /// metadata to record in the entry's `meta.json` (`info`), or nil when there is none.
    public typealias Perform = @Sendable (TaskContext) throws -> (any Encodable)?
    /// Reads back a cached entry of a task before the run relies on it, throwing
    /// `CacheDamage` when it cannot be used.
    public typealias Verify = @Sendable (TaskSpec, CachedEntry) throws -> Void

    public let cache: CacheStore
    public let options: ExecutorOptions
    public let progress: ProgressReporter?

    /// The plan's cost estimates, for the progress reporter's time left.
    public let costs: TaskCost?

    public init(cache: CacheStore, options: ExecutorOptions = ExecutorOptions(), progress: ProgressReporter? = nil,
                costs: TaskCost? = nil) {
        self.costs = costs
        self.cache = cache
        self.options = options
        self.progress = progress
    }

    /// Runs `graph`. `only` selects tasks (`--only`); tasks they depend on run too when not cached.
    /// Every cached entry the run takes is first checked by `verify` (by default: each file's
    /// size and hash); a damaged one is recomputed like a missing one, and reported.
    public func run(_ graph: TaskGraph, only: ((TaskSpec) -> Bool)? = nil, verify: Verify? = nil,
                    perform: @escaping Perform) -> ExecutionReport {
        let start = Date()
        cache.removeStaleTemporaries()
        let order = graph.topologicalOrder()
        let selected = Set(order.filter { only?($0) ?? true }.map(\.id))
        let needed = graph.closure(of: selected)
        let found = lookUp(order.filter { !(options.force && selected.contains($0.id)) },
                           verify: verify ?? { _, e in try e.verifyFiles() })

        let state = RunState()
        var toRun = [TaskSpec]()
        var damaged = [String: CacheDamage]()
        for t in order {
            if case let .found(e) = found[t.id] {
                state.outcomes[t.id] = .cached(e)
            } else if !needed.contains(t.id) {
                state.outcomes[t.id] = .filteredOut
            } else {
                if case let .damaged(d) = found[t.id] { damaged[t.id] = d }
                toRun.append(t)
            }
        }
        state.pending = toRun
        progress?.started(total: order.count, cached: state.outcomes.values.filter { $0.entry != nil }.count,
                          toRun: toRun.count)
        progress?.scheduled(toRun, costs: costs)

        let replacing = Set(damaged.keys)
        let workers = min(options.jobs, max(1, toRun.count))
        let group = DispatchGroup()
        for w in 0..<workers {
            let thread = Thread { [self] in
                self.workLoop(state, graph: graph, replacing: replacing, perform: perform)
                group.leave()
            }
            thread.name = "xai-executor-\(w)"
            thread.stackSize = 8 << 20  // methods recurse and allocate on the stack more than the 512 KiB default
            group.enter()
            thread.start()
        }
        group.wait()
        let report = ExecutionReport(outcomes: state.outcomes, seconds: Date().timeIntervalSince(start),
                                     damaged: damaged)
        progress?.finished(report)
        return report
    }

    /// What the cache holds for each of `tasks`, each entry found checked by `verify` (reading
    /// files, so spread over the cores).
    private func lookUp(_ tasks: [TaskSpec], verify: Verify) -> [String: CacheLookup] {
        let lock = NSLock()
        var results = [String: CacheLookup]()
        DispatchQueue.concurrentPerform(iterations: tasks.count) { i in
            let task = tasks[i]
            var lookup = cache.inspect(task.key)
            if case let .found(e) = lookup {
                do {
                    try verify(task, e)
                } catch let damage as CacheDamage {
                    lookup = .damaged(damage)
                } catch {
                    lookup = .damaged(.invalid(file: CacheStore.metaName, detail: "\(error)"))
                }
            }
            lock.lock()
            results[task.id] = lookup
            lock.unlock()
        }
        return results
    }

    final class RunState {
        let condition = NSCondition()
        var outcomes = [String: TaskOutcome]()
        var pending = [TaskSpec]()
        var running = [ResourceClass: Int]()
        var runningCount = 0
        var stopped = false
    }

    /// `replacing`: tasks whose damaged entry their result replaces.
    private func workLoop(_ s: RunState, graph: TaskGraph, replacing: Set<String>, perform: Perform) {
        while true {
            s.condition.lock()
            var picked: TaskSpec?
            var deps = [String: CachedEntry]()
            while picked == nil {
                if s.stopped {
                    for t in s.pending { s.outcomes[t.id] = .cancelled }
                    s.pending.removeAll()
                }
                if s.pending.isEmpty { break }
                if let i = s.pending.firstIndex(where: { canStart($0, s) }) {
                    let t = s.pending.remove(at: i)
                    for d in t.dependencies { deps[d] = s.outcomes[d]?.entry }
                    s.running[t.resource, default: 0] += 1
                    s.runningCount += 1
                    picked = t
                } else if s.runningCount == 0 {
                    // Nothing runs that could unblock the rest: a dependency has no results.
                    for t in s.pending {
                        let missing = t.dependencies.first { s.outcomes[$0]?.entry == nil } ?? "?"
                        s.outcomes[t.id] = .skipped(failedDependency: missing)
                    }
                    s.pending.removeAll()
                } else {
                    s.condition.wait()
                }
            }
            s.condition.unlock()
            guard let task = picked else {
                s.condition.lock()
                s.condition.broadcast()
                s.condition.unlock()
                return
            }
            progress?.taskStarted(task)
            let outcome = execute(task, deps: deps, replace: options.force || replacing.contains(task.id),
                                  perform: perform)

            s.condition.lock()
            s.outcomes[task.id] = outcome
            s.running[task.resource, default: 1] -= 1
            s.runningCount -= 1
            if outcome.isFailure {
                if options.keepGoing {
                    // Dependents can never run; everything independent still does.
                    let doomed = Set(graph.transitiveDependents(of: task.id))
                    for t in s.pending where doomed.contains(t.id) { s.outcomes[t.id] = .skipped(failedDependency: task.id) }
                    s.pending.removeAll { doomed.contains($0.id) }
                } else {
                    s.stopped = true
                }
            }
            let done = s.outcomes.count
            s.condition.broadcast()
            s.condition.unlock()
            progress?.taskFinished(task, outcome: outcome, finished: done)
        }
    }

    /// Ready when every dependency has results and its resource class has room.
    private func canStart(_ t: TaskSpec, _ s: RunState) -> Bool {
        if let limit = options.resourceLimits[t.resource], s.running[t.resource, default: 0] >= limit { return false }
        return t.dependencies.allSatisfy { s.outcomes[$0]?.entry != nil }
    }

    /// Computes `task` and commits its entry. An entry another process committed meanwhile (a
    /// concurrent shard or run of an experiment sharing the task) is kept, not replaced: equal keys
    /// are equal results, and replacing would pull files from under its readers. Only a forced
    /// task or a damaged entry is replaced.
    private func execute(_ task: TaskSpec, deps: [String: CachedEntry], replace: Bool,
                         perform: Perform) -> TaskOutcome {
        let t0 = Date()
        do {
            let entry = try cache.commit(task.key, replace: replace) { dir in
                let context = TaskContext(task: task, outputDirectory: dir, dependencies: deps,
                                          progress: { [progress] f in progress?.taskProgress(task, fraction: f) })
                let info = try perform(context).map { try JSONValue(encoding: $0) }
                return CacheEntryMeta(key: task.key, kind: task.kind.rawValue, task: task.id, params: task.params,
                                      seconds: Date().timeIntervalSince(t0), costClass: MeasuredCosts.costClass(task),
                                      info: info)
            }
            return .ran(entry, seconds: entry.meta.seconds)
        } catch {
            return .failed(message: "\(error)")
        }
    }
}
