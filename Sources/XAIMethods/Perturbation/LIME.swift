import Foundation
import XAICore
import XAIEngine
import XAIImaging

/// LIME for images (Ribeiro, Singh, Guestrin 2016) as the lime package does it: superpixels
/// switched on and off at random (each with probability 1/2; the first sample is the image
/// itself), hidden superpixels filled per `hide`, the target score of every sample, and a weighted
/// ridge regression on the binary on/off vectors with weights sqrt(exp(-d^2 / kernel_width^2)),
/// d = cosine distance to the all-on vector. Outputs the signed per-superpixel weights as the
/// map and in `arrays["weights"]`, the local weighted R^2 and intercept, and the classic
/// "top features" picture with the `features` strongest superpixels.
public struct LIME: Explainer {
    public static let samples = Param<Int>("samples", default: 1000, range: .ints(1, 1_000_000), "number of perturbed images")
    static let kernelWidth = Param<Double>("kernel_width", default: 0.25, range: .positive,
                                           "width of the exponential kernel on cosine distance")
    static let alpha = Param<Double>("alpha", default: 1.0, range: .nonNegative, "ridge regularisation strength")
    static let features = Param<Int>("features", default: 5, range: .ints(1, 10_000), "superpixels shown in the top-features picture")
    static let positiveOnly = Param<Bool>("positive_only", default: false, "show only superpixels with positive weight")
    static let batch = Batching.parameter(32)
    public static let descriptor = MethodDescriptor(
        "lime", family: .perturbation,
        summary: "weighted linear surrogate fitted on superpixels switched on and off",
        paper: "Ribeiro, Singh, Guestrin. \"Why Should I Trust You?\": Explaining the Predictions of Any Classifier. KDD 2016",
        version: 3,  // 2: SLIC follows scikit-image; 3: quick shift independent of the seed
        parameters: ParameterSpec.segmentation
            + [samples, kernelWidth, HideMode.parameter, alpha, features, positiveOnly, ScoreKind.explained, batch, PrecisionOption.parameter],
        slow: true, mapSign: .signed)

    let segmentation: SegmentationAlgorithm
    let samples: Int
    let kernelWidth: Double
    let hide: HideMode
    let alpha: Double
    let features: Int
    let positiveOnly: Bool
    let batch: Int
    let precision: Precision
    /// The explained score (probability by default, as in the lime package).
    var score: ScoreKind = .probability

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(method: Self.descriptor, params)
        segmentation = try r.segmentation()
        samples = try r[Self.samples]
        kernelWidth = try r[Self.kernelWidth]
        hide = try r[HideMode.parameter]
        alpha = try r[Self.alpha]
        features = try r[Self.features]
        positiveOnly = try r[Self.positiveOnly]
        batch = try r[Self.batch]
        precision = try r[PrecisionOption.parameter]
        score = try r[ScoreKind.explained]
        guard samples >= 2 else { throw r.invalid(Self.samples.name, "needs at least 2 samples, got \(samples)") }
        guard kernelWidth > 0 else { throw r.invalid(Self.kernelWidth.name, "must be positive, got \(kernelWidth)") }
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        return try PrecisionOption.run(precision, model) { try explain(input, scorer: PerturbationBatch(context: $0, batch: batch)) }
    }

    /// The on/off design: row 0 all on, then independent fair coin flips (seed stream 1).
    static func design(samples: Int, segments m: Int, seed: UInt64) -> [Bool] {
        var rng = SeededRandom(seed: seed, stream: 1)
        var z = [Bool](repeating: true, count: samples * m)
        for i in m..<(samples * m) { z[i] = rng.next() & 1 == 1 }
        return z
    }

    /// The lime package's image kernel on cosine distance to the all-on vector.
    static func weight(on k: Int, of m: Int, kernelWidth: Double) -> Double {
        let d = k == 0 ? 1 : 1 - (Double(k) / Double(m)).squareRoot()
        return (Foundation.exp(-d * d / (kernelWidth * kernelWidth))).squareRoot()
    }

    func explain(_ input: ExplanationInput, scorer: PerturbationBatch) throws -> Explanation {
        let seg = segmentation.segment(input.image)
        let m = seg.count
        let hiding = SuperpixelHiding(image: input.image, segmentation: seg, mode: hide)
        let z = LIME.design(samples: samples, segments: m, seed: input.seed)
        let key = PerturbationBatch.cacheKey(Self.kind, input: input, sampling: [
            "segmentation=\(segmentation)", "samples=\(samples)", "hide=\(hide.rawValue)", "seed=\(input.seed)",
        ])
        let scores = try z.withUnsafeBufferPointer { zp in
            try scorer.scores(count: samples, width: seg.width, height: seg.height, target: input.target, cacheKey: key) { i, dst in
                hiding.render(active: UnsafeBufferPointer(rebasing: zp[(i * m)..<((i + 1) * m)]), into: dst)
            }
        }
        let y = scores.values(score).map(Double.init)
        var x = [Double](repeating: 0, count: samples * m)
        var weights = [Double](repeating: 0, count: samples)
        for i in 0..<samples {
            var on = 0
            for j in 0..<m where z[i * m + j] { x[i * m + j] = 1; on += 1 }
            weights[i] = LIME.weight(on: on, of: m, kernelWidth: kernelWidth)
        }
        let fit: RidgeFit
        do {
            fit = try WeightedRidge.fit(x: x, rows: samples, columns: m, y: y, weights: weights, alpha: alpha)
        } catch let e as RegressionError {
            throw MethodError.numeric(method: Self.kind.rawValue, detail: e.description)
        }
        let shown = LIME.topFeatures(fit.coefficients, count: features, positiveOnly: positiveOnly)
        let picture = LIME.topFeaturesPicture(input.image, segmentation: seg, weights: fit.coefficients, shown: shown)
        return Explanation(
            map: Explanation.superpixelMap(fit.coefficients, segmentation: seg),
            scalars: ["r2": fit.r2, "intercept": fit.intercept, "superpixels": Double(m),
                      "score": Double(y[0]), "local_prediction": fit.intercept + fit.coefficients.reduce(0, +)],
            arrays: ["weights": Tensor(shape: [m], data: fit.coefficients.map(Float.init)),
                     "top_features": Tensor(shape: [shown.count], data: shown.map(Float.init))],
            images: ["top_features": picture],
            segments: seg.labels)
    }

    /// Superpixels shown: the `count` largest weights (positive only) or largest |weights|.
    static func topFeatures(_ w: [Double], count: Int, positiveOnly: Bool) -> [Int] {
        let candidates = w.indices.filter { !positiveOnly || w[$0] > 0 }
        let sorted = candidates.sorted {
            let a = positiveOnly ? w[$0] : abs(w[$0]), b = positiveOnly ? w[$1] : abs(w[$1])
            return a != b ? a > b : $0 < $1
        }
        return Array(sorted.prefix(count))
    }

    /// The image with the shown superpixels intact (negative ones tinted red), the rest faded
    /// towards gray, and yellow boundaries around the shown superpixels.
    static func topFeaturesPicture(_ image: RGBImage, segmentation seg: Segmentation, weights: [Double],
                                   shown: [Int]) -> RGBImage {
        let n = image.planeCount
        var isShown = [Bool](repeating: false, count: seg.count)
        for j in shown { isShown[j] = true }
        var out = image
        var outline = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            let l = Int(seg.labels[i])
            if isShown[l] {
                outline[i] = Int32(l)
                if weights[l] < 0 {
                    out.pixels[i] = 0.5 * out.pixels[i] + 0.5
                    out.pixels[n + i] *= 0.5
                    out.pixels[2 * n + i] *= 0.5
                }
            } else {
                for c in 0..<3 { out.pixels[c * n + i] = 0.3 * out.pixels[c * n + i] + 0.35 }
            }
        }
        return Overlay.drawBoundaries(labels: outline, width: seg.width, height: seg.height, on: out)
    }
}
