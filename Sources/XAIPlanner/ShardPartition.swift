import Foundation

/// Splits an experiment's task graph into N parts that separate processes (Slurm array tasks,
/// Kubernetes pods, `xargs -P`) compute at once into one shared cache, plus what only the final
/// `xai run` computes.
///
/// - A task is in the same part as every task it depends on (connected groups are never cut), so
///   a part never waits for another and no task is computed twice: in practice one group per
///   image (its decode, predictions, explanations, overlays and metrics under every model whose
///   preprocessing it shares).
/// - Joint tasks (joint DFF reads every image) and everything that reads them are left to the
///   final run (`assemble`), which finds the parts' results in the cache.
/// - Groups are placed largest estimated cost first (`TaskCost`), each on the least loaded part
///   (ties: the lower part), ordered by cost and then by their smallest task id: the same graph
///   gives the same parts on every machine, and no part exceeds the mean by more than one group.
public struct ShardPartition: Sendable {
    /// Task ids of each part; `parts[k - 1]` is shard k's.
    public let parts: [Set<String>]
    /// Task ids only the final run computes (joint tasks and what depends on them).
    public let assemble: Set<String>
    /// Estimated cost of each part (`TaskCost` units).
    public let costs: [Int]

    /// - Parameter measured: seconds of earlier tasks like these (`MeasuredCosts`), the same
    ///   table for every shard; nil: the plan's estimates alone.
    public init(_ graph: ExperimentGraph, count: Int, measured: MeasuredCosts? = nil) {
        self.init(graph.graph, joint: Set(graph.joints.keys), cost: TaskCost(graph, measured: measured), count: count)
    }

    init(_ graph: TaskGraph, joint: Set<String>, cost: TaskCost, count: Int) {
        var assemble = Set<String>()
        for j in joint where graph.tasks[j] != nil {
            assemble.insert(j)
            assemble.formUnion(graph.transitiveDependents(of: j))
        }
        var groups = UnionFind(graph.tasks.keys.filter { !assemble.contains($0) })
        for t in graph.tasks.values where !assemble.contains(t.id) {
            for d in t.dependencies { groups.union(t.id, d) }
        }
        struct Group { var name: String; var cost: Int; var tasks: [String] }
        var byRoot = [String: Group]()
        for id in graph.tasks.keys where !assemble.contains(id) {
            let root = groups.find(id)
            var g = byRoot[root] ?? Group(name: id, cost: 0, tasks: [])
            g.name = min(g.name, id)
            g.cost += cost[id]
            g.tasks.append(id)
            byRoot[root] = g
        }
        let ordered = byRoot.values.sorted { $0.cost != $1.cost ? $0.cost > $1.cost : $0.name < $1.name }
        var parts = [Set<String>](repeating: [], count: max(1, count))
        var loads = [Int](repeating: 0, count: parts.count)
        for g in ordered {
            let k = loads.indices.min { loads[$0] != loads[$1] ? loads[$0] < loads[$1] : $0 < $1 }!
            parts[k].formUnion(g.tasks)
            loads[k] += g.cost
        }
        self.parts = parts
        self.assemble = assemble
        self.costs = loads
    }

    /// The task ids of `shard`.
    public func tasks(of shard: Shard) -> Set<String> { parts[shard.index - 1] }
}

/// Disjoint sets of task ids with path halving, for grouping tasks with their dependencies.
struct UnionFind {
    private var parent: [String: String]

    init<S: Sequence>(_ ids: S) where S.Element == String {
        parent = Dictionary(uniqueKeysWithValues: ids.map { ($0, $0) })
    }

    mutating func find(_ id: String) -> String {
        var x = id
        while let p = parent[x], p != x {
            let grand = parent[p] ?? p
            parent[x] = grand
            x = grand
        }
        return x
    }

    /// Joins the sets of `a` and `b`; the smaller id becomes the root so the result does not
    /// depend on the order of unions. Ids not in the sets are ignored.
    mutating func union(_ a: String, _ b: String) {
        guard parent[a] != nil, parent[b] != nil else { return }
        let ra = find(a), rb = find(b)
        guard ra != rb else { return }
        if ra < rb { parent[rb] = ra } else { parent[ra] = rb }
    }
}
