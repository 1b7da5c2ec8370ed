import XAICore
import XAIEngine
import XAIMethods

/// Model-parameter randomisation test (Adebayo et al., 2018) for one explanation: the method is
/// run again with the same parameters and seed on the model whose last `layers` parametrised
/// layers (Conv / Gemm / MatMul, counted from the logits) are re-initialised in cascade
/// (`ModelRandomization.cascading`, seeded with the metric's seed), and the value is the
/// Spearman rank correlation between the original and the new map. A method that explains the
/// trained model should score low; a value near 1 means the map ignores the weights.
/// `extra["spearman_abs"]` is the correlation of the absolute values (as Adebayo et al. also
/// report for signed maps) and `extra["layers_randomized"]` how many layers were re-initialised.
public struct SanityRandomization: Metric {
    static let layers = Param<Int>("layers", default: 2, range: .ints(1, 1000),
                                   "number of final layers re-initialised, cascading from the logits")
    public static let descriptor = MetricDescriptor(
        "sanity_randomization", summary: "rank correlation with the map of a model whose last layers are re-initialised",
        paper: "Adebayo, Gilmer, Muelly, Goodfellow, Hardt, Kim. Sanity Checks for Saliency Maps. NeurIPS 2018",
        parameters: [layers], direction: .lowerIsBetter)
    let layers: Int

    public init(params: ResolvedParams) throws {
        layers = try ParameterReader(metric: Self.descriptor, params)[Self.layers]
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let original = try AttributionMap(input, metric: Self.kind)
        let rerun = try MethodRerun(input, metric: Self.kind)
        let engine = try RandomizedEngines.shared.engine(for: model.engine, layers: layers, seed: input.seed)
        let randomized = try rerun.map(image: input.image, input: input, engine: engine, model: model,
                                       key: "randomized-\(layers)")
        let available = ModelRandomization.parametrisedLayers(model.engine.graph).count
        return MetricResult(value: RankCorrelation.spearman(original.values, randomized.values), extra: [
            "spearman_abs": RankCorrelation.spearman(original.values.map(abs), randomized.values.map(abs)),
            "layers_randomized": Double(min(layers, available)),
        ])
    }
}
