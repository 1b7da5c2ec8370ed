import XAICore
import XAIEngine
import XAIImaging

/// DeepSHAP (Lundberg & Lee 2017, section 4.2; Captum's `DeepLiftShap`): DeepLIFT's attributions
/// (rescale rule, or reveal-cancel with `rule`, as `deeplift`'s) averaged over references drawn from a baseline distribution, which
/// approximates the SHAP values of the model with that distribution as background. Sample s
/// takes the baseline b_s of `baselines` that `gradient_shap` draws for the same seed and sample
/// (`BaselineDistribution`; no input noise, the interpolation point unused); the attribution
/// is the mean over the `samples` of m_s * (x - b_s), m_s the DeepLIFT multipliers against b_s
/// (`DeepLIFT.attribute`), for the target logit on normalised NCHW input. Each term adds up to
/// f(x) - f(b_s), so the mean adds up to f(x) - mean_s f(b_s); the gap is reported
/// (`summation_gap`, and the largest per-sample gap `sample_summation_gap`). With `baselines:` a
/// folder or glob of K background images and `samples` = K, every background is used once:
/// Captum's `DeepLiftShap` over the same backgrounds (CaptumReferenceTests).
public struct DeepSHAP: Explainer {
    static let samples = Param<Int>("samples", default: 16, range: .ints(1, 100_000), "number of baselines drawn")
    static let batch = Batching.parameter(8)
    static let reduce = ChannelReduction.parameter(default: .signedSum, signed: true)
    public static let descriptor = MethodDescriptor(
        "deep_shap", family: .gradient,
        summary: "DeepLIFT (rescale or reveal-cancel rule) averaged over baselines drawn from a distribution",
        paper: "Lundberg, Lee. A Unified Approach to Interpreting Model Predictions. NeurIPS 2017; Shrikumar, Greenside, Kundaje. Learning Important Features Through Propagating Activation Differences. ICML 2017",
        parameters: [BaselineDistribution.parameter, samples, DeepLIFT.rule, batch, reduce], slow: true,
        mapSign: ChannelReduction.mapSign(reduce))
    let distribution: BaselineDistribution
    let rule: DeepLiftRule
    let samples: Int
    let batch: Int
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        distribution = try BaselineDistribution(p)
        samples = try p[Self.samples]
        rule = try p[DeepLIFT.rule]
        batch = try p[Self.batch]
        reduce = try p[Self.reduce]
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        let sampler = try BaselineDistribution.Sampler(distribution, input: input, model: model, stdevs: 0, method: Self.kind)
        let x = input.input
        let n = x.count
        var total = [Double](repeating: 0, count: n)
        var perSample = DeepLIFT.SummationToDelta()
        var baselineScore = 0.0, fx = 0.0
        let ranges = Batching.ranges(count: samples, size: batch)
        for (done, r) in ranges.enumerated() {
            let draws = sampler.draws(r)
            let d = try DeepLIFT.attribute(draws.inputs, references: draws.baselines, target: input.target, rule: rule,
                                             engine: model.engine)
            for j in 0..<r.count {
                for i in 0..<n { total[i] += Double(d.attributions.data[j * n + i]) }
                baselineScore += Double(d.referenceScores[j])
            }
            fx = Double(d.scores[0])
            perSample.add(d)
            model.progress?(Double(done + 1) / Double(ranges.count))
        }
        let attributions = Tensor(shape: x.shape, data: total.map { Float($0 / Double(samples)) })
        let sum = attributions.data.reduce(0.0) { $0 + Double($1) }
        let fb = baselineScore / Double(samples)
        let m = reduce.apply(attributions)
        return Explanation(map: m.reshaped([m.shape[1], m.shape[2]]), scalars: [
            "summation_gap": abs(sum - (fx - fb)),
            "relative_summation_gap": abs(sum - (fx - fb)) / max(abs(fx - fb), 1e-12),
            "sample_summation_gap": perSample.scalars["summation_gap"] ?? 0,
            "attribution_sum": sum, "score_difference": fx - fb, "input_score": fx, "baseline_score": fb,
        ])
    }
}
