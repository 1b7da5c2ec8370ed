import XAICore
import XAIEngine
import XAIImaging

/// DeepLIFT (Shrikumar, Greenside, Kundaje. Learning Important Features Through Propagating
/// Activation Differences. ICML 2017): the input x and a reference x0 (the `baseline`, normalised
/// like the input; NCHW) run forward, then multipliers run backward under the engine's DeepLIFT
/// rules (`BackwardRules.deepLift`), and the attribution is multiplier * (x - x0) for the target
/// logit f. `rule` picks how activations share their change: `rescale` (section 3.5.2, the
/// secant (y - y0) / (x - x0) instead of the derivative; max pooling as in Captum) or
/// `reveal_cancel` (section 3.5.3, separate multipliers for the positive and negative terms
/// of the linear op before each activation, `RevealCancelRules`; defined for activations after
/// Conv, Gemm, Add, Sub or on the input, an error naming the node elsewhere). The attributions add up to f(x) - f(x0)
/// ("summation-to-delta") on networks of linear ops, activations and max pooling; the gap is
/// reported (`summation_gap`, and relative to |f(x) - f(x0)|). On a ReLU6 EfficientNet it is
/// float rounding only, under both rules. Reference: Captum's `DeepLift` for rescale
/// (CaptumReferenceTests); reveal-cancel has no implementation that runs offline here (Captum
/// lacks it, kundajelab/deeplift needs Keras/TensorFlow 1), so its oracles are hand-computed
/// multipliers (the engine's RevealCancelRuleTests) and summation-to-delta on the embedded model.
public struct DeepLIFT: GradientAttribution {
    static let baseline = Baseline.parameter(
        "baseline", default: .black, "reference input: a named image or one pixel value in [0, 1] for every channel (before normalisation)")
    static let batch = Batching.parameter(8)
    static let reduce = ChannelReduction.parameter(default: .signedSum, signed: true)
    static let rule = Param<DeepLiftRule>(
        "rule", default: .rescale, "how activations share their change: rescale (one multiplier) or reveal_cancel (the positive and negative terms of the op before each activation apart; activations after Conv, Gemm, Add or Sub)")
    public static let descriptor = MethodDescriptor(
        "deeplift", family: .gradient,
        summary: "multipliers of activation differences against a reference input (rescale or reveal-cancel rule)",
        paper: "Shrikumar, Greenside, Kundaje. Learning Important Features Through Propagating Activation Differences. ICML 2017",
        parameters: [baseline, rule, batch, reduce], mapSign: ChannelReduction.mapSign(reduce))
    let baseline: Baseline
    let rule: DeepLiftRule
    let batch: Int
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        baseline = try Baseline.read(p, Self.baseline)
        rule = try p[Self.rule]
        batch = try p[Self.batch]
        reduce = try p[Self.reduce]
    }

    var batchesItems: Bool { true }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }

    func attributions(of inputs: Tensor, for input: ExplanationInput, model: ModelContext) throws
        -> (attributions: Tensor, scalars: [String: Double]) {
        let reference = try baseline.tensor(for: input, model: model, method: Self.kind)
        var parts: [Tensor] = []
        var summation = SummationToDelta()
        for r in Batching.ranges(count: inputs.batch, size: batch) {
            let x = r.count == inputs.batch ? inputs : inputs.slice(batch: r)
            let references = Tensor.concatenate([Tensor](repeating: reference, count: r.count))
            let d = try Self.attribute(x, references: references, target: input.target, rule: rule, engine: model.engine)
            parts.append(d.attributions)
            summation.add(d)
        }
        return (parts.count == 1 ? parts[0] : Tensor.concatenate(parts), summation.scalars)
    }

    /// DeepLIFT attributions of the target logit for inputs [n, C, H, W] against references of
    /// the same shape under `rule`, with the per-item sums and f(x), f(x0).
    static func attribute(_ x: Tensor, references x0: Tensor, target: Int, rule: DeepLiftRule, engine: Engine) throws -> Attribution {
        let passes = try engine.forward(x, retain: .allWithPreActivations)
        let referencePass = try engine.forward(x0, retain: .allWithPreActivations)
        let seed = TargetScore.seed(batch: x.batch, classes: engine.classCount, target: target)
        let name = engine.graph.input
        guard let m = try engine.gradients(passes, seeds: [engine.outputName: seed], wrt: [name],
                                           rules: .deepLift(reference: referencePass, rule: rule))[name] else {
            throw EngineError.badInput(detail: "the engine returned no multipliers for its input '\(name)'")
        }
        var a = m
        let n = x.itemCount
        var sums = [Double](repeating: 0, count: x.batch)
        for j in 0..<x.batch {
            for i in (j * n)..<((j + 1) * n) {
                a.data[i] = m.data[i] * (x.data[i] - x0.data[i])
                sums[j] += Double(a.data[i])
            }
        }
        return Attribution(attributions: a, sums: sums, scores: TargetScore.values(passes.output, target: target),
                           referenceScores: TargetScore.values(referencePass.output, target: target))
    }

    struct Attribution {
        var attributions: Tensor
        /// Per item: sum of the attributions, f(x), f(x0).
        var sums: [Double]
        var scores: [Float]
        var referenceScores: [Float]
    }

    /// The largest summation-to-delta gap over the items, and the last item's sum and scores
    /// (the explained input when there is one).
    struct SummationToDelta {
        private(set) var gap = 0.0
        private(set) var relativeGap = 0.0
        private var last: (sum: Double, score: Double, reference: Double)?

        mutating func add(_ d: Attribution) {
            for j in d.sums.indices {
                let delta = Double(d.scores[j]) - Double(d.referenceScores[j])
                let g = abs(d.sums[j] - delta)
                gap = max(gap, g)
                relativeGap = max(relativeGap, g / max(abs(delta), 1e-12))
                last = (d.sums[j], Double(d.scores[j]), Double(d.referenceScores[j]))
            }
        }

        var scalars: [String: Double] {
            guard let last else { return [:] }
            return [
                "summation_gap": gap, "relative_summation_gap": relativeGap, "attribution_sum": last.sum,
                "score_difference": last.score - last.reference, "input_score": last.score, "baseline_score": last.reference,
            ]
        }
    }
}
