import Foundation

/// A de-duplicated, acyclic graph of tasks.
///
/// Tasks are added after their dependencies, which makes cycles impossible and lets each
/// task's key include its dependencies' keys. Two tasks with the same key are the same work:
/// the second is not added, and `add` returns the id of the first (the requested id is kept
/// as an alias), so one prediction serves every method and equal sweep points run once.
public struct TaskGraph: Sendable {
    /// Tasks by id.
    public private(set) var tasks: [String: TaskSpec] = [:]
    /// Ids in the order they were added.
    public private(set) var insertionOrder: [String] = []
    /// Requested ids that were merged into an equal task: alias -> id of that task.
    public private(set) var aliases: [String: String] = [:]
    private var idByKey: [CacheKey: String] = [:]

    public init() {}

    public var count: Int { tasks.count }

    public subscript(id: String) -> TaskSpec? { tasks[resolve(id)] }

    /// The id that `id` was merged into, or `id` itself.
    public func resolve(_ id: String) -> String { aliases[id] ?? id }

    /// Adds a task and returns the id under which it is in the graph: `id`, or the id of an
    /// earlier task with the same key.
    /// - Throws: `PlannerError.unknownDependency` when a dependency was not added before;
    ///   `PlannerError.taskIDCollision` when `id` already names a task with another key.
    @discardableResult
    public mutating func add(id: String, kind: TaskKind, params: [String: String] = [:], seed: UInt64? = nil,
                             inputs: [String: String] = [:], dependencies: [String] = [], version: Int = 1,
                             resource: ResourceClass = .light, labels: [String: String] = [:]) throws -> String {
        var depIDs = [String]()
        var depKeys = [CacheKey]()
        for d in dependencies {
            guard let t = self[d] else { throw PlannerError.unknownDependency(task: id, dependency: d) }
            if !depIDs.contains(t.id) {
                depIDs.append(t.id)
                depKeys.append(t.key)
            }
        }
        let key = CacheKey(kind: kind.rawValue, params: params, seed: seed, inputs: inputs,
                           dependencies: depKeys, version: version)
        if let existing = idByKey[key] {
            if existing != id {
                if tasks[id] != nil || (aliases[id] != nil && aliases[id] != existing) {
                    throw PlannerError.taskIDCollision(id: id)
                }
                aliases[id] = existing
            }
            return existing
        }
        if tasks[id] != nil || aliases[id] != nil { throw PlannerError.taskIDCollision(id: id) }
        let spec = TaskSpec(id: id, kind: kind, params: params, seed: seed, inputs: inputs,
                            dependencies: depIDs.sorted(), version: version, resource: resource,
                            labels: labels, key: key)
        tasks[id] = spec
        idByKey[key] = id
        insertionOrder.append(id)
        return id
    }

    /// Tasks ordered so that each comes after its dependencies; among tasks that are ready
    /// together, by kind (pipeline order) and then id, so the order is deterministic.
    public func topologicalOrder() -> [TaskSpec] {
        var indegree = [String: Int]()
        var dependents = [String: [String]]()
        for t in tasks.values {
            indegree[t.id] = t.dependencies.count
            for d in t.dependencies { dependents[d, default: []].append(t.id) }
        }
        func before(_ a: String, _ b: String) -> Bool {
            let ka = tasks[a]!.kind, kb = tasks[b]!.kind
            return ka != kb ? ka < kb : a < b
        }
        var ready = indegree.filter { $0.value == 0 }.map(\.key).sorted(by: before)
        var out = [TaskSpec]()
        out.reserveCapacity(tasks.count)
        while !ready.isEmpty {
            let id = ready.removeFirst()
            out.append(tasks[id]!)
            for c in dependents[id] ?? [] {
                indegree[c]! -= 1
                if indegree[c] == 0 {
                    let i = ready.firstIndex { before(c, $0) } ?? ready.count
                    ready.insert(c, at: i)
                }
            }
        }
        return out
    }

    /// Ids of the tasks that read `id`'s outputs, directly or indirectly, sorted.
    public func transitiveDependents(of id: String) -> [String] {
        var direct = [String: [String]]()
        for t in tasks.values { for d in t.dependencies { direct[d, default: []].append(t.id) } }
        var seen = Set<String>(), stack = [resolve(id)]
        while let x = stack.popLast() {
            for c in direct[x] ?? [] where seen.insert(c).inserted { stack.append(c) }
        }
        return seen.sorted()
    }

    /// `ids` together with every task they depend on, directly or indirectly.
    public func closure(of ids: Set<String>) -> Set<String> {
        var seen = Set<String>(), stack = ids.map(resolve)
        while let x = stack.popLast() {
            guard seen.insert(x).inserted, let t = tasks[x] else { continue }
            stack.append(contentsOf: t.dependencies)
        }
        return seen
    }

    /// The tasks `ids` names, which must include every task they depend on (a part of
    /// `ShardPartition`), so that a shard looks up and verifies only its own entries.
    public func restricted(to ids: Set<String>) -> TaskGraph {
        var g = TaskGraph()
        g.insertionOrder = insertionOrder.filter(ids.contains)
        for id in g.insertionOrder {
            let t = tasks[id]!
            g.tasks[id] = t
            g.idByKey[t.key] = id
        }
        g.aliases = aliases.filter { ids.contains($0.value) }
        return g
    }

    /// Keys of every task, for `CacheStore.gc(keeping:)`.
    public var keys: Set<CacheKey> { Set(tasks.values.map(\.key)) }

    /// Number of tasks per kind.
    public var countsByKind: [TaskKind: Int] {
        var c = [TaskKind: Int]()
        for t in tasks.values { c[t.kind, default: 0] += 1 }
        return c
    }
}
