import XAICore
import XAIImaging
import XAIMethods

/// Faithfulness correlation (Bhatt et al., IJCAI 2020) for one explanation: `samples` random
/// subsets of `subset_size` pixels (seeded; at most every pixel) are set to the `value` fill, and
/// the value is the Pearson correlation between the subsets' attribution sums (raw map values)
/// and the drops of the target probability they cause (original minus perturbed). 0 when either
/// has no spread. `extra["subset_size"]` is the subset size used.
public struct FaithfulnessCorrelation: Metric {
    public static let kind = MetricKind.faithfulnessCorrelation
    let samples: Int
    let subsetSize: Int
    let fill: Fill
    let batch: Int

    public init(params: ResolvedParams) throws {
        let r = try MetricParams(Self.kind, params)
        samples = try r.int("samples")
        subsetSize = try r.int("subset_size")
        fill = try r.fill("value")
        batch = try r.int("batch")
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let map = try AttributionMap(input, metric: Self.kind)
        let image = input.image
        let fillImage = fill.image(for: image)
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
