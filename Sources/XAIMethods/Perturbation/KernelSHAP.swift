import XAICore
import XAIEngine
import XAIImaging

/// KernelSHAP over superpixels (Lundberg & Lee 2017): coalitions of superpixels are shown (the
/// rest hidden per `hide`, the background being the all-hidden image), weighted with the
/// Shapley kernel (`ShapleyCoalitions`), and the attributions fitted by weighted least squares
/// constrained so that they add up exactly to f(x) - f(background). `scalars["efficiency_gap"]`
/// reports |sum(phi) - (f(x) - f(background))| (rounding only).
public struct KernelSHAP: Explainer {
    static let samples = Param<ParamValue>("samples", .intOrWord(["auto"], .ints(1, 1_000_000)), default: .string("auto"),
                                           "coalitions sampled; auto = 2*M + 2048 for M superpixels")
    static let batch = Batching.parameter(32)
    public static let descriptor = MethodDescriptor(
        "kernel_shap", family: .perturbation,
        summary: "Shapley values of superpixels estimated with the Shapley kernel",
        paper: "Lundberg, Lee. A Unified Approach to Interpreting Model Predictions. NeurIPS 2017",
        // 2: SLIC follows scikit-image; sampled coalition sizes follow the Shapley kernel for even M;
        // 3: quick shift independent of the seed.
        version: 3,
        parameters: ParameterSpec.segmentation + [samples, HideMode.parameter, ScoreKind.explained, batch, PrecisionOption.parameter], slow: true,
        mapSign: .signed)

    let segmentation: SegmentationAlgorithm
    /// nil means auto: 2 M + 2048 for M superpixels.
    let samples: Int?
    let hide: HideMode
    let batch: Int
    let precision: Precision
    /// The explained score (probability by default).
    var score: ScoreKind = .probability

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(method: Self.descriptor, params)
        segmentation = try r.segmentation()
        let s = try r[Self.samples]
        if s.stringValue == "auto" {
            samples = nil
        } else if let n = s.intValue, n >= 1 {
            samples = n
        } else {
            throw r.invalid(Self.samples.name, "expected auto or a positive integer, got \(s)")
        }
        hide = try r[HideMode.parameter]
        batch = try r[Self.batch]
        precision = try r[PrecisionOption.parameter]
        score = try r[ScoreKind.explained]
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        return try PrecisionOption.run(precision, model) { try explain(input, scorer: PerturbationBatch(context: $0, batch: batch)) }
    }

    func explain(_ input: ExplanationInput, scorer: PerturbationBatch) throws -> Explanation {
        let seg = segmentation.segment(input.image)
        let m = seg.count
        let budget = samples ?? (2 * m + 2048)
        let coalitions = ShapleyCoalitions(m: m, samples: budget, seed: input.seed)
        let hiding = SuperpixelHiding(image: input.image, segmentation: seg, mode: hide)
        let key = PerturbationBatch.cacheKey(Self.kind, input: input, sampling: [
            "segmentation=\(segmentation)", "samples=\(budget)", "hide=\(hide.rawValue)", "seed=\(input.seed)",
        ])
        // Item 0: everything shown (x); item 1: everything hidden (background); then the coalitions.
        let allOn = [Bool](repeating: true, count: m), allOff = [Bool](repeating: false, count: m)
        let scores = try coalitions.members.withUnsafeBufferPointer { zp in
            try scorer.scores(count: 2 + coalitions.count, width: seg.width, height: seg.height,
                              target: input.target, cacheKey: key) { i, dst in
                switch i {
                case 0: hiding.render(active: allOn, into: dst)
                case 1: hiding.render(active: allOff, into: dst)
                default: hiding.render(active: UnsafeBufferPointer(rebasing: zp[((i - 2) * m)..<((i - 1) * m)]), into: dst)
                }
            }
        }
        let values = scores.values(score).map(Double.init)
        let fx = values[0], fBackground = values[1]
        let total = fx - fBackground
        var phi: [Double]
        if m == 1 {
            phi = [total]
        } else {
            let z = coalitions.members.map { $0 ? 1.0 : 0.0 }
            let y = values[2...].map { $0 - fBackground }
            do {
                phi = try ConstrainedLeastSquares.solve(z: z, rows: coalitions.count, columns: m, y: Array(y),
                                                        weights: coalitions.weights, total: total)
            } catch let e as RegressionError {
                throw MethodError.numeric(method: Self.kind.rawValue, detail: e.description)
            }
        }
        let gap = abs(phi.reduce(0, +) - total)
        return Explanation(
            map: Explanation.superpixelMap(phi, segmentation: seg),
            scalars: ["efficiency_gap": gap, "f_x": fx, "f_background": fBackground,
                      "superpixels": Double(m), "coalitions": Double(coalitions.count)],
            arrays: ["shapley_values": Tensor(shape: [m], data: phi.map(Float.init))],
            segments: seg.labels)
    }
}
