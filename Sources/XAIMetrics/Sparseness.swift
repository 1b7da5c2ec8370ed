import XAICore
import XAIMethods

/// Sparseness (Chalasani et al., 2020): the Gini index of the absolute attributions |a|,
/// sorted ascending a_1 <= ... <= a_n: G = sum_k (2k - n - 1) a_k / (n sum_k a_k).
/// 0 for a constant map (and for an all-zero map), 1 - 1/n for a single non-zero pixel.
public struct Sparseness: Metric {
    public static let descriptor = MetricDescriptor(
        "sparseness", summary: "Gini index of the absolute attributions",
        paper: "Chalasani, Chen, Chowdhury, Wu, Jha. Concise Explanations of Neural Networks using Adversarial Training. ICML 2020",
        parameters: [], direction: .higherIsBetter)

    public init(params: ResolvedParams) throws {
        _ = try ParameterReader(metric: Self.descriptor, params)
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let map = try AttributionMap(input, metric: Self.kind)
        return MetricResult(value: Self.gini(map.values))
    }

    /// Gini index of |values| (see the type).
    public static func gini(_ values: [Float]) -> Double {
        let a = values.map { Double(abs($0)) }.sorted()
        let n = Double(a.count)
        let total = a.reduce(0, +)
        guard total > 0 else { return 0 }
        var s = 0.0
        for (i, v) in a.enumerated() { s += (2 * Double(i + 1) - n - 1) * v }
        return s / (n * total)
    }
}
