import XAICore
import XAIEngine
import XAIImaging
import XAIMethods

/// Area Over the Perturbation Curve (Samek et al. 2017), most relevant first. The image is cut
/// into a grid of `region` x `region` pixel squares (the last row and column may be smaller),
/// ranked by their summed attribution (ties in seeded random order). Picture k (k = 0...K)
/// has the k top-ranked regions perturbed, cumulatively, and f(x_k) is the target probability
/// on it (x_0 is the image), so
///
///     AOPC = 1 / (K + 1) * sum_k (f(x_0) - f(x_k)),
///
/// higher is better: removing what the map calls relevant should make the score fall fast.
/// K is `steps`, at most the number of regions (one fewer with `value: road`, whose imputation
/// needs a kept pixel). Perturbations: `noise` (uniform noise in [0, 1], the paper's choice, one
/// seeded noise picture per image so a region keeps its noise from step to step), a named fill
/// or pixel value as deletion's, or `road` (ROAD's noisy linear imputation, seeded per picture).
/// `x` holds k, `y` f(x_k); `extra` the original probability and K. `precision: bf16` scores the
/// pictures with bf16 convolutions (`PrecisionOption`; `extra["bf16"]` records whether it ran).
public struct AOPC: Metric {
    static let region = Param<IntPair>("region", .intOrPair(.ints(1, 4096)), default: IntPair(h: 16, w: 16),
                                       "side of the square regions (or [h, w])")
    static let steps = Param<Int>("steps", default: 50, range: .ints(1, 100_000), "regions removed, K")
    static let value = Param<ParamValue>(
        "value", .choiceOrNumber(["noise", "road"] + Fill.names, .unit), default: .string("noise"),
        "what removed regions become: uniform noise, ROAD's imputation, a named fill or a pixel value in [0, 1]")
    public static let descriptor = MetricDescriptor(
        "aopc", summary: "mean drop of the target probability as the most relevant regions are perturbed one by one",
        paper: "Samek, Binder, Montavon, Lapuschkin, Mueller. Evaluating the Visualization of What a Deep Neural Network Has Learned. IEEE TNNLS 2017",
        parameters: [region, steps, value, MetricBatch.parameter, PrecisionOption.parameter],
        curve: MetricDescriptor.Curve(x: "regions removed", y: "target probability"), direction: .higherIsBetter)

    enum Perturbation: Equatable {
        case noise
        case road
        case fill(Fill)
    }

    let region: IntPair
    let steps: Int
    let perturbation: Perturbation
    let batch: Int
    let precision: Precision
    /// Random stream of the noise picture; ROAD pictures use stream k like ROAD's.
    static let noiseStream: UInt64 = 0x414F_5043

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(metric: Self.descriptor, params)
        region = try r[Self.region]
        steps = try r[Self.steps]
        switch try r[Self.value].stringValue {
        case "noise": perturbation = .noise
        case "road": perturbation = .road
        default: perturbation = .fill(try r.fill(Self.value))
        }
        batch = try r[MetricBatch.parameter]
        precision = try r[PrecisionOption.parameter]
    }

    /// The region of every pixel (row-major) and the number of regions.
    static func regions(width: Int, height: Int, region: IntPair) -> (of: [Int], count: Int) {
        let columns = (width + region.w - 1) / region.w, rows = (height + region.h - 1) / region.h
        let of = (0..<(width * height)).map { i in (i / width / region.h) * columns + (i % width) / region.w }
        return (of, columns * rows)
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let map = try AttributionMap(input, metric: Self.kind)
        let image = input.image
        let (regionOf, count) = Self.regions(width: image.width, height: image.height, region: region)
        var relevance = [Float](repeating: 0, count: count)
        for (i, v) in map.values.enumerated() { relevance[regionOf[i]] += v }
        let order = AttributionMap(values: relevance, width: count, height: 1).descendingOrder(seed: input.seed)
        var rank = [Int](repeating: 0, count: count)
        for (r, g) in order.enumerated() { rank[g] = r }
        let k = Swift.min(steps, perturbation == .road ? count - 1 : count)
        guard k >= 1 else {
            throw MetricError.badInput(metric: Self.kind.rawValue,
                                       detail: "one \(region.h)x\(region.w) region covers the \(image.width)x\(image.height) image; use a smaller `region`")
        }
        let fillPicture: RGBImage?
        switch perturbation {
        case .noise:
            var rng = SeededRandom(seed: input.seed, stream: Self.noiseStream)
            fillPicture = RGBImage(width: image.width, height: image.height, pixels: rng.uniforms(image.pixels.count))
        case .fill(let f): fillPicture = f.image(for: input, model: model)
        case .road: fillPicture = nil
        }
        let imputation = NoisyLinearImputation(noise: NoisyLinearImputation.roadNoise)
        let score = TargetProbabilities(model: model, batch: batch, metric: Self.kind, parallelRender: perturbation == .road,
                                         precision: precision)
        // Picture `step` is named by the regions it perturbs, which other maps may pick too.
        var pictures: [Int: SharedLogits.Picture] = [0: .original]
        if input.imageKey != nil, SharedLogits.affordable(pictures: k, flags: count) {
            let recipe: String
            switch perturbation {
            case .noise: recipe = "aopc-noise/seed=\(input.seed)"
            case .fill(let f): recipe = "fill=\(f)"
            case .road: recipe = "road/seed=\(input.seed)/noise=\(imputation.noise)"
            }
            for step in 1...k {
                let stream = perturbation == .road ? "/stream=\(step)" : ""
                pictures[step] = .perturbed(recipe + stream + "/regions=\(region.h)x\(region.w)/"
                                            + SharedLogits.mask(rank.lazy.map { $0 < step }))
            }
        }
        let y = try score(count: k + 1, width: image.width, height: image.height, target: input.target,
                          shared: SharedLogits.keys(pictures, image: input.imageKey)) { step, dst in
            let removed = regionOf.map { rank[$0] < step }
            if let fillPicture {
                Compose.select(image: image, fill: fillPicture, useFill: removed, into: dst)
            } else {
                var rng = SeededRandom(seed: input.seed, stream: UInt64(step))
                let pixels = step == 0 ? image.pixels : try imputation.impute(image, removed: removed, rng: &rng)
                pixels.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        return MetricResult(value: Self.aopc(y), x: (0...k).map(Double.init), y: y,
                            extra: score.recordingPrecision(["original_probability": y[0], "steps": Double(k),
                                                             "regions": Double(count)]))
    }

    /// 1 / (K + 1) * sum_k (y[0] - y[k]) for a curve y[0...K].
    static func aopc(_ y: [Double]) -> Double {
        guard let first = y.first else { return 0 }
        return y.reduce(0) { $0 + (first - $1) } / Double(y.count)
    }
}
