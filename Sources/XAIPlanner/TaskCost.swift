import Foundation
import XAICore

/// Estimated cost of each task, in units of about one forward pass of the model, for balancing
/// the parts of a sharded plan (`ShardPartition`).
///
/// The estimate reads only the plan (task kinds and the methods' catalogue facts), never the
/// cache: every shard computes the partition on its own, possibly minutes after another shard
/// started filling the cache, and all of them must get the same parts. Integers keep the sums
/// exact, so no machine rounds differently.
public struct TaskCost: Sendable {
    /// Cost of a task of the plan by id.
    public private(set) var units: [String: Int] = [:]

    /// Decoding, predicting and rendering are about one model pass or less.
    static let decode = 1, predict = 1, render = 1
    /// A metric perturbs the image and re-runs the model tens of times (deletion/insertion curves).
    static let metric = 20
    /// Explanations: gradient and CAM methods take a few passes; perturbation methods hundreds to
    /// thousands (occlusion windows, LIME/SHAP samples); methods the catalogue marks `slow`
    /// (optimised masks, activation maximisation) the most.
    static let fastExplanation = 5, perturbation = 100, slowExplanation = 300

    /// The estimates of every task of `graph`.
    public init(_ graph: ExperimentGraph) {
        var methodOf = [String: MethodDescriptor]()
        for e in graph.explanations { methodOf[graph.graph.resolve(e.explainTask)] = e.run.descriptor }
        for j in graph.joints.values { methodOf[j.task] = j.run.descriptor }
        for t in graph.graph.tasks.values {
            switch t.kind {
            case .decode: units[t.id] = Self.decode
            case .predict: units[t.id] = Self.predict
            case .render: units[t.id] = Self.render
            case .metric: units[t.id] = Self.metric
            case .explain: units[t.id] = methodOf[t.id].map(Self.explanation) ?? Self.fastExplanation
            }
        }
    }

    /// The estimates refined by `measured`: a task whose class has a measured mean costs its
    /// milliseconds; any other, its units times the milliseconds per unit of the measured ones.
    /// Sums run in task-id order, so every machine rounds the same way.
    public init(_ graph: ExperimentGraph, measured: MeasuredCosts?) {
        self.init(graph)
        guard let measured, !measured.seconds.isEmpty else { return }
        var known = [String: Double]()
        var milliseconds = 0.0, estimated = 0.0
        for id in units.keys.sorted() {
            guard let t = graph.graph.tasks[id], let s = measured.seconds[MeasuredCosts.costClass(t)] else { continue }
            known[id] = s * 1000
            milliseconds += s * 1000
            estimated += Double(units[id] ?? 0)
        }
        guard estimated > 0 else { return }
        let perUnit = milliseconds / estimated
        for (id, u) in units {
            units[id] = max(1, Int(min(1e12, (known[id] ?? Double(u) * perUnit).rounded())))
        }
    }

    /// Given estimates (tests).
    init(units: [String: Int]) {
        self.units = units
    }

    static func explanation(_ d: MethodDescriptor) -> Int {
        if d.slow { return slowExplanation }
        return d.family == .perturbation ? perturbation : fastExplanation
    }

    /// The cost of task `id` (0 for an id not in the plan).
    public subscript(id: String) -> Int { units[id] ?? 0 }
}
