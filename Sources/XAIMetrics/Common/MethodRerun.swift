import Foundation
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods

/// Runs the explanation's method again (on a randomised model, or on a noisy image) with the same
/// parameters and seed, and returns its map reduced like the original (`AttributionMap`).
/// The context gets no intermediate cache: cached perturbation scores are keyed by the original
/// (model, image) content and must not be reused for another model or image.
struct MethodRerun {
    let explainer: any Explainer
    let metric: MetricKind

    init(_ input: MetricInput, metric: MetricKind) throws {
        guard MethodCatalogue.descriptor(input.method)?.producesAttributionMap ?? false else {
            throw MetricError.notApplicable(metric: metric.rawValue, method: input.method.rawValue,
                                            detail: "the method synthesises an image, not an attribution map")
        }
        explainer = try MethodCatalogue.make(input.method, params: input.methodParams)
        self.metric = metric
    }

    /// The map for `image` (pixel space) with the engine `engine` and the rest of `model`.
    func map(image: RGBImage, input: MetricInput, engine: Engine, model: ModelContext, key: String) throws -> AttributionMap {
        let context = ModelContext(engine: engine, labels: model.labels, preprocess: model.preprocess,
                                   targetLayer: model.targetLayer, cache: nil, progress: nil)
        let tensor = context.normalize(Tensor(shape: [1, 3, image.height, image.width], data: image.pixels))
        let explanation = try explainer.explain(
            ExplanationInput(image: image, input: tensor, target: input.target, seed: input.seed,
                             contentKey: "metric/\(metric.rawValue)/\(key)"),
            model: context)
        return try AttributionMap(explanation.map, width: image.width, height: image.height, metric: metric)
    }
}

/// Randomised engines of the sanity check, kept per (engine, layers, seed) for the life of the
/// process so the graph is randomised and prepared once, not for every image. The entry holds the
/// original engine, so its identity cannot be reused while cached; the oldest of more than
/// `capacity` entries is dropped.
final class RandomizedEngines: @unchecked Sendable {
    static let shared = RandomizedEngines()
    static let capacity = 4

    private struct Entry {
        let original: Engine
        let layers: Int
        let seed: UInt64
        let randomized: Engine
    }

    private let lock = NSLock()
    private var entries: [Entry] = []

    /// The engine of `engine`'s graph with its last `layers` parametrised layers re-initialised.
    func engine(for engine: Engine, layers: Int, seed: UInt64) throws -> Engine {
        lock.lock()
        defer { lock.unlock() }
        if let e = entries.first(where: { $0.original === engine && $0.layers == layers && $0.seed == seed }) {
            return e.randomized
        }
        let graph = try ModelRandomization.cascading(graph: engine.graph, layers: layers, seed: seed)
        let randomized = try Engine(graph: graph)
        entries.append(Entry(original: engine, layers: layers, seed: seed, randomized: randomized))
        if entries.count > Self.capacity { entries.removeFirst() }
        return randomized
    }

    /// Number of cached engines (tests).
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}
