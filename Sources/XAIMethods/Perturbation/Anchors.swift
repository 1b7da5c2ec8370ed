import XAICore
import XAIEngine
import XAIImaging

/// Anchors over superpixels (Ribeiro, Singh, Guestrin 2018), following the anchor package's
/// beam search: an anchor is a set of superpixels that stay shown; samples keep the anchor and
/// show every other superpixel with probability `p_sample` (hidden ones filled per `hide`); its
/// precision is the fraction of samples on which the target is still the model's top class and
/// its coverage the fraction of `coverage_samples` unconstrained samples that contain it.
/// Anchors grow by one superpixel per round; KL-LUCB (tolerance `tau`, confidence `delta`) picks
/// the `beam` most precise candidates with `batch` samples per pull, and a candidate is accepted
/// when its precision clears `precision` with confidence (lower bound above precision - 0.05,
/// the anchor package's stopping tolerance). Among accepted anchors the one with the largest
/// coverage wins; if none is accepted the most precise candidate is returned with
/// `scalars["threshold_met"] = 0`. As in the package, the samples drawn for an anchor are reused
/// for its extensions (those that show the added superpixel), never for its siblings, and the
/// bandit stops as soon as its bounds allow (`AnchorSearch`). A sample equal to one drawn before
/// reuses its label; `scalars["samples"]` is the number of forward passes, `scalars["draws"]`
/// the number of samples. The samples depend on the bandit's path, so they are not shared through
/// the cache.
public struct Anchors: Explainer {
    static let precision = Param<Double>("precision", default: 0.95, range: NumberRange(min: 0, max: 1, minInclusive: false),
                                         "precision threshold an anchor must reach")
    static let delta = Param<Double>("delta", default: 0.1, range: .openUnit, "confidence parameter of the KL-LUCB bandit")
    static let tau = Param<Double>("tau", default: 0.15, range: .openUnit, "tolerance of the KL-LUCB bandit")
    static let beam = Param<Int>("beam", default: 1, range: .ints(1, 100), "beam width of the anchor search")
    static let coverageSamples = Param<Int>("coverage_samples", default: 10_000, range: .ints(1, 10_000_000),
                                            "samples used to estimate coverage")
    static let pSample = Param<Double>("p_sample", default: 0.5, range: .openUnit,
                                       "probability that a non-anchor superpixel is kept")
    static let batch = Batching.parameter(100)
    /// 2: samples count only for supersets of what they were drawn for; 3: SLIC follows scikit-image.
    public static let descriptor = MethodDescriptor(
        "anchors", family: .perturbation,
        summary: "smallest set of superpixels that keeps the prediction with high precision",
        paper: "Ribeiro, Singh, Guestrin. Anchors: High-Precision Model-Agnostic Explanations. AAAI 2018",
        version: 4,  // 4: quick shift independent of the seed
        parameters: ParameterSpec.segmentation
            + [precision, delta, tau, beam, coverageSamples, pSample, HideMode.parameter, batch],
        slow: true)

    let segmentation: SegmentationAlgorithm
    let threshold: Double
    let delta: Double
    let tau: Double
    let beam: Int
    let coverageSamples: Int
    let pSample: Double
    let hide: HideMode
    let batch: Int
    /// Stopping tolerance of the precision check (the anchor package's `epsilon_stop`).
    static let stopTolerance = 0.05
    /// Safety cap on KL-LUCB rounds per anchor size.
    static let maxRounds = 500

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(method: Self.descriptor, params)
        segmentation = try r.segmentation()
        threshold = try r[Self.precision]
        delta = try r[Self.delta]
        tau = try r[Self.tau]
        beam = try r[Self.beam]
        coverageSamples = try r[Self.coverageSamples]
        pSample = try r[Self.pSample]
        hide = try r[HideMode.parameter]
        batch = try r[Self.batch]
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        return try explain(input, scorer: PerturbationBatch(context: model, batch: batch))
    }

    func explain(_ input: ExplanationInput, scorer: PerturbationBatch) throws -> Explanation {
        let seg = segmentation.segment(input.image)
        var search = AnchorSearch(m: seg.count, pSample: pSample, seed: input.seed,
                                  hiding: SuperpixelHiding(image: input.image, segmentation: seg, mode: hide),
                                  scorer: scorer, target: input.target, coverageSamples: coverageSamples)
        let result = try search.run(threshold: threshold, delta: delta, tau: tau, beam: beam, batch: batch)
        var flags = [Bool](repeating: false, count: seg.count)
        for j in result.anchor { flags[j] = true }
        let map = Explanation.superpixelMap(flags.map { $0 ? 1 : 0 }, segmentation: seg)
        return Explanation(
            map: map,
            scalars: ["precision": result.precision, "precision_lower_bound": result.lowerBound,
                      "coverage": result.coverage, "threshold_met": result.accepted ? 1 : 0,
                      "samples": Double(search.evaluations), "draws": Double(search.labels.count), "superpixels": Double(seg.count)],
            arrays: ["anchor": Tensor(shape: [result.anchor.count], data: result.anchor.map(Float.init))],
            images: ["anchor": search.hiding.picture(active: flags)],
            segments: seg.labels)
    }
}
