import Foundation

/// What `ExperimentRunner.runShard` did.
public struct ShardResult: Sendable {
    public var shard: Shard
    public var report: ExecutionReport
    /// Tasks of the shard's part (computed now or found in the cache).
    public var taskCount: Int
    /// Estimated cost of the part and of the whole plan (`TaskCost` units).
    public var cost: Int, totalCost: Int
}

extension ExperimentRunner {
    /// Computes one part of the plan (`xai run FILE --shard K/N`) into the cache and writes
    /// nothing else: no manifest, gallery or file in `Outputs/<name>/`, so it takes no output
    /// lock and any number of shards run at once on one cache. Entries are committed by atomic
    /// rename, the first commit of a key wins (`Executor`), and the cache's shared
    /// `CacheUseLock` keeps `xai gc` off while the shard runs. A shard that is killed and run
    /// again computes only what it had not committed. The final `xai run FILE` assembles.
    /// - Parameter costs: the measured costs every shard of this split uses (`MeasuredCosts`).
    public func runShard(_ shard: Shard, options: RunOptions = RunOptions(), costs: MeasuredCosts? = nil,
                         progress: ProgressReporter? = nil) throws -> ShardResult {
        let cacheLock = try CacheUseLock(cache, mode: .shared)
        defer { cacheLock.unlock() }
        let eg = try buildGraph()
        let partition = ShardPartition(eg, count: shard.count, measured: costs)
        let part = partition.tasks(of: shard)
        let only = try TaskSelection.filter(options.only, in: eg.graph)
        let executor = Executor(cache: cache, options: options.executor, progress: progress, costs: TaskCost(eg))
        let report = executor.run(eg.graph.restricted(to: part), only: only,
                                  verify: { t, e in try Self.validate(t, e, eg) },
                                  perform: { [self] ctx in try self.perform(ctx, eg) })
        return ShardResult(shard: shard, report: report, taskCount: part.count,
                           cost: partition.costs[shard.index - 1], totalCost: partition.costs.reduce(0, +))
    }

    /// Tasks some shard computes that the cache does not hold (complete and undamaged), sorted:
    /// empty when the shards are done and the final run only assembles.
    public func unfinishedShardTasks() throws -> [String] {
        let eg = try buildGraph()
        return unfinished(eg, outside: ShardPartition(eg, count: 1).assemble).sorted()
    }

    /// The parts of an N-part split that still have tasks the cache does not hold, ascending:
    /// what a scheduler must (re)submit; a part killed half-way is listed and, run again,
    /// computes only what it had not committed.
    /// - Parameter graph: the experiment's graph (built when nil).
    public func shardsWithWorkLeft(count: Int, costs: MeasuredCosts? = nil, graph: ExperimentGraph? = nil) throws -> [Shard] {
        let eg = try graph ?? buildGraph()
        let partition = ShardPartition(eg, count: count, measured: costs)
        let missing = unfinished(eg, outside: partition.assemble)
        return try (1...max(1, count)).filter { !partition.parts[$0 - 1].isDisjoint(with: missing) }
            .map { try Shard(index: $0, count: count) }
    }

    /// The measured seconds of the cache's entries like this plan's tasks, to freeze for a split.
    /// - Parameter graph: the experiment's graph (built when nil).
    public func measuredCosts(graph: ExperimentGraph? = nil) throws -> MeasuredCosts {
        MeasuredCosts(cache: cache, classes: Set(try (graph ?? buildGraph()).graph.tasks.values.map(MeasuredCosts.costClass)))
    }

    private func unfinished(_ eg: ExperimentGraph, outside assemble: Set<String>) -> Set<String> {
        let plan = Plan(name: experiment.name, graph: eg.graph, cache: cache, previous: nil)
        return Set(plan.items.filter { $0.reason.willRun && !assemble.contains($0.task.id) }.map(\.task.id))
    }
}
