import XAICore
import XAIEngine
import XAIImaging
import XAIMethods

/// Remove And Debias (Rong et al., ICML 2022) for one image. For each removal fraction f of
/// `fractions`, the top f of the pixels by attribution (MoRF, most relevant first) or the bottom
/// f (LeRF, least relevant first) are removed and filled by `NoisyLinearImputation` (noise std
/// `noise`, seeded per picture), and the target probability is recorded. A fraction that would
/// remove every pixel keeps one.
///
/// value = (mean LeRF - mean MoRF) / 2 over the fractions (higher is better: removing the
/// important pixels should hurt more than removing the unimportant ones). `x` holds the
/// fractions, `y` the MoRF curve, `curves["morf"]` / `curves["lerf"]` both curves, and `extra`
/// `morf_mean`, `lerf_mean` and `original_probability`. `precision: bf16` scores the pictures
/// with bf16 convolutions (`PrecisionOption`; `extra["bf16"]` records whether bf16 ran).
public struct ROAD: Metric {
    static let fractions = Param<[Double]>("fractions", .numberList(.openUnit), default: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
                                           "removal fractions of the MoRF and LeRF curves")
    static let noise = Param<Double>("noise", default: NoisyLinearImputation.roadNoise, range: .nonNegative, "standard deviation of the imputation noise")
    public static let descriptor = MetricDescriptor(
        "road", summary: "Remove And Debias: MoRF and LeRF curves with noisy linear imputation, score (LeRF - MoRF) / 2",
        paper: "Rong, Leemann, Borisov, Kasneci, Kasneci. A Consistent and Efficient Evaluation Strategy for Attribution Methods. ICML 2022",
        parameters: [fractions, noise, MetricBatch.parameter, PrecisionOption.parameter],
        curve: MetricDescriptor.Curve(x: "fraction of pixels removed", y: "value"), direction: .higherIsBetter)
    let fractions: [Double]
    let imputation: NoisyLinearImputation
    let batch: Int
    let precision: Precision

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(metric: Self.descriptor, params)
        fractions = try r[Self.fractions]
        imputation = NoisyLinearImputation(noise: try r[Self.noise])
        batch = try r[MetricBatch.parameter]
        precision = try r[PrecisionOption.parameter]
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let map = try AttributionMap(input, metric: Self.kind)
        let order = map.descendingOrder(seed: input.seed)
        let image = input.image
        let n = map.count
        let f = fractions.count
        // Picture 0 is the original; 1...f MoRF; f+1...2f LeRF.
        let removed: (Int) -> [Bool] = { j in
            var mask = [Bool](repeating: false, count: n)
            let fraction = self.fractions[(j - 1) % f]
            let count = Swift.min(map.pixelCount(fraction), n - 1)
            let chosen = j <= f ? order.prefix(count) : order.suffix(count)
            for i in chosen { mask[i] = true }
            return mask
        }
        // Picture j is named by its removed pixels (other maps may remove the same) and its noise.
        var pictures: [Int: SharedLogits.Picture] = [0: .original]
        if input.imageKey != nil, SharedLogits.affordable(pictures: 2 * f, flags: n) {
            for j in 1...(2 * f) {
                pictures[j] = .perturbed("road/seed=\(input.seed)/stream=\(j)/noise=\(imputation.noise)/" + SharedLogits.mask(removed(j)))
            }
        }
        let score = TargetProbabilities(model: model, batch: batch, metric: Self.kind, parallelRender: true, precision: precision)
        let p = try score(count: 2 * f + 1, width: image.width, height: image.height, target: input.target,
                          shared: SharedLogits.keys(pictures, image: input.imageKey)) { j, dst in
            let pixels: [Float]
            if j == 0 {
                pixels = image.pixels
            } else {
                var rng = SeededRandom(seed: input.seed, stream: UInt64(j))
                pixels = try imputation.impute(image, removed: removed(j), rng: &rng)
            }
            pixels.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) }
        }
        let morf = Array(p[1...f]), lerf = Array(p[(f + 1)...(2 * f)])
        let morfMean = CurveArea.mean(morf), lerfMean = CurveArea.mean(lerf)
        return MetricResult(value: (lerfMean - morfMean) / 2, x: fractions, y: morf,
                            extra: score.recordingPrecision(["morf_mean": morfMean, "lerf_mean": lerfMean,
                                                             "original_probability": p[0]]),
                            curves: ["morf": morf, "lerf": lerf])
    }
}
