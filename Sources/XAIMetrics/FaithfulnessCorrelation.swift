import XAICore
import XAIImaging
import XAIMethods

/// Faithfulness correlation (Bhatt et al., IJCAI 2020) for one explanation: `samples` random
/// subsets of `subset_size` pixels (seeded; at most every pixel) are set to the `value` fill, and
/// the value is the Pearson correlation between the subsets' attribution sums (raw map values)
/// and the drops of the target probability they cause (original minus perturbed). 0 when either
/// has no spread. `extra["subset_size"]` is the subset size used.
public struct FaithfulnessCorrelation: Metric {
    static let samples = Param<Int>("samples", default: 50, range: .ints(2, 100_000), "random subsets evaluated")
    static let subsetSize = Param<Int>("subset_size", default: 224, range: .ints(1, 1_000_000), "pixels per subset")
    static let value = Param<ParamValue>("value", .choiceOrNumber(Fill.names, .unit), default: .string("gray"),
                                         "fill of the subset pixels")
    public static let descriptor = MetricDescriptor(
        "faithfulness_correlation",
        summary: "correlation between attribution sums of random subsets and the score drop they cause",
        paper: "Bhatt, Weller, Moura. Evaluating and Aggregating Feature-based Model Explanations. IJCAI 2020",
        parameters: [samples, subsetSize, value, MetricBatch.parameter], direction: .higherIsBetter)
    let samples: Int
    let subsetSize: Int
    let fill: Fill
    let batch: Int

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(metric: Self.descriptor, params)
        samples = try r[Self.samples]
        subsetSize = try r[Self.subsetSize]
        fill = try r.fill(Self.value)
        batch = try r[MetricBatch.parameter]
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let map = try AttributionMap(input, metric: Self.kind)
        let image = input.image
        let fillImage = fill.image(for: input, model: model)
        let n = map.count
        let size = min(subsetSize, n)
        var subsets: [[Int]] = []
        var sums: [Double] = []
        for s in 0..<samples {
            var rng = SeededRandom(seed: input.seed, stream: 0xFC00_0000 &+ UInt64(s))
            let subset = Array(Self.sample(size, of: n, rng: &rng))
            subsets.append(subset)
            sums.append(subset.reduce(0.0) { $0 + Double(map.values[$1]) })
        }
        let score = TargetProbabilities(model: model, batch: batch, metric: Self.kind)
        let plane = image.planeCount
        let p = try score(count: samples + 1, width: image.width, height: image.height, target: input.target) { j, dst in
            image.pixels.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) }
            guard j > 0 else { return }
            for i in subsets[j - 1] {
                for c in 0..<3 { dst[c * plane + i] = fillImage.pixels[c * plane + i] }
            }
        }
        let drops = (1...samples).map { p[0] - p[$0] }
        return MetricResult(value: RankCorrelation.pearson(sums, drops),
                            extra: ["subset_size": Double(size), "original_probability": p[0]])
    }

    /// `k` distinct indices of 0..<n, uniformly (partial Fisher-Yates).
    static func sample(_ k: Int, of n: Int, rng: inout SeededRandom) -> ArraySlice<Int> {
        var p = Array(0..<n)
        for i in 0..<k { p.swapAt(i, i + rng.int(below: n - i)) }
        return p[0..<k]
    }
}
