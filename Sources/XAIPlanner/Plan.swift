import Foundation

/// Why a task will run, or that it will not.
public enum PlanReason: Equatable, Sendable {
    /// Its results are in the cache.
    case cached
    /// No earlier run computed a task with this id.
    case new
    /// `--force` asked to recompute it.
    case forced
    /// Its parameters or seed differ from the last run: a readable list of the changes.
    case parametersChanged(String)
    /// Content of input files changed (roles, e.g. ["image"] or ["model"]).
    case inputsChanged([String])
    /// The implementation version changed.
    case implementationChanged(from: Int, to: Int)
    /// A task it depends on changed.
    case dependencyChanged
    /// Same key as the last run, but the cache entry is gone (removed by gc or by hand).
    case cacheMissing
    /// The cache entry is damaged (a file missing, of another size, or unusable); the run
    /// recomputes it. Only what `CacheStore.inspect` sees without reading contents.
    case cacheDamaged(CacheDamage)
    /// Not selected by `--only` and not needed by a selected task.
    case filteredOut

    public var willRun: Bool {
        switch self {
        case .cached, .filteredOut: return false
        default: return true
        }
    }

    /// Short machine-readable name.
    public var code: String {
        switch self {
        case .cached: return "cached"
        case .new: return "new"
        case .forced: return "forced"
        case .parametersChanged: return "parameters-changed"
        case .inputsChanged: return "inputs-changed"
        case .implementationChanged: return "implementation-changed"
        case .dependencyChanged: return "dependency-changed"
        case .cacheMissing: return "cache-missing"
        case .cacheDamaged: return "cache-damaged"
        case .filteredOut: return "filtered-out"
        }
    }

    /// Human-readable explanation.
    public var text: String {
        switch self {
        case .cached: return "cached"
        case .new: return "new"
        case .forced: return "forced"
        case let .parametersChanged(d): return "parameters changed (\(d))"
        case let .inputsChanged(roles): return roles.map { "\($0) changed" }.joined(separator: ", ")
        case let .implementationChanged(a, b): return "method implementation changed (version \(a) -> \(b))"
        case .dependencyChanged: return "an input task changed"
        case .cacheMissing: return "cache entry missing"
        case let .cacheDamaged(damage): return "cache entry damaged (\(damage))"
        case .filteredOut: return "not selected"
        }
    }
}

/// A dry run: every task of a graph with whether it is cached or will run, and why.
public struct Plan: Sendable {
    public struct Item: Sendable {
        public let task: TaskSpec
        public let reason: PlanReason
    }

    /// A name for headings (the experiment name).
    public let name: String
    /// Items in topological order.
    public let items: [Item]

    /// Decides, for each task of `graph`, whether it is cached and otherwise why it runs.
    /// - Parameters:
    ///   - previous: the state saved by the last run, used only to explain reasons.
    ///   - force: recompute the selected tasks even when cached.
    ///   - only: selects tasks; unselected tasks that selected ones need still run when not cached.
    public init(name: String, graph: TaskGraph, cache: CacheStore, previous: PlanState?,
                force: Bool = false, only: ((TaskSpec) -> Bool)? = nil) {
        self.name = name
        let order = graph.topologicalOrder()
        let selected = Set(order.filter { only?($0) ?? true }.map(\.id))
        let needed = graph.closure(of: selected)
        var items = [Item]()
        for t in order {
            let reason: PlanReason
            let forcedHere = force && selected.contains(t.id)
            let lookup = cache.inspect(t.key)
            if !needed.contains(t.id) {
                reason = lookup.entry != nil ? .cached : .filteredOut
            } else if !forcedHere, lookup.entry != nil {
                reason = .cached
            } else if forcedHere {
                reason = .forced
            } else if case let .damaged(damage) = lookup {
                reason = .cacheDamaged(damage)
            } else {
                reason = Self.explain(t, graph: graph, previous: previous?.tasks[t.id])
            }
            items.append(Item(task: t, reason: reason))
        }
        self.items = items
    }

    static func explain(_ t: TaskSpec, graph: TaskGraph, previous: PlanState.Record?) -> PlanReason {
        guard let p = previous else { return .new }
        if p.key == t.key { return .cacheMissing }
        if p.params != t.params || p.seed != t.seed {
            var changes = Self.paramChanges(old: p.params, new: t.params)
            if p.seed != t.seed { changes.append("seed \(p.seed.map(String.init) ?? "none") -> \(t.seed.map(String.init) ?? "none")") }
            return .parametersChanged(changes.joined(separator: ", "))
        }
        if p.inputs != t.inputs {
            let roles = Set(p.inputs.keys).union(t.inputs.keys).filter { p.inputs[$0] != t.inputs[$0] }
            return .inputsChanged(roles.sorted())
        }
        if p.version != t.version { return .implementationChanged(from: p.version, to: t.version) }
        return .dependencyChanged
    }

    /// `window 16 -> 24`-style differences between two parameter sets, sorted by name.
    static func paramChanges(old a: [String: String], new b: [String: String]) -> [String] {
        Set(a.keys).union(b.keys).sorted().compactMap { k in
            a[k] == b[k] ? nil : "\(k) \(a[k] ?? "unset") -> \(b[k] ?? "unset")"
        }
    }

    /// Tasks that will run.
    public var toRun: [TaskSpec] { items.filter { $0.reason.willRun }.map(\.task) }

    /// Per kind: (total, cached, to run, not selected).
    public var counts: [TaskKind: (total: Int, cached: Int, run: Int, filtered: Int)] {
        var c = [TaskKind: (total: Int, cached: Int, run: Int, filtered: Int)]()
        for i in items {
            var e = c[i.task.kind] ?? (0, 0, 0, 0)
            e.total += 1
            switch i.reason {
            case .cached: e.cached += 1
            case .filteredOut: e.filtered += 1
            default: e.run += 1
            }
            c[i.task.kind] = e
        }
        return c
    }
}
