import XAICore
import XAIEngine

/// Methods that attribute the target score to every input element ([N, C, H, W] in normalised
/// input space) and reduce channels to one map. SmoothGrad wraps any of them.
protocol GradientAttribution: Explainer {
    /// How channels become one map.
    var reduce: ChannelReduction { get }

    /// Raw attributions for a batch of normalised inputs [N, C, H, W], for class
    /// `input.target`; random steps and baselines use `input` (its seed and image).
    /// `scalars` describe the batch when it holds one item.
    func attributions(of batch: Tensor, for input: ExplanationInput, model: ModelContext) throws
        -> (attributions: Tensor, scalars: [String: Double])

    /// Whether `attributions(of:)` is efficient for several items at once (else SmoothGrad
    /// calls it one noisy copy at a time).
    var batchesItems: Bool { get }
}

/// The gradient methods that differ only in how rectifiers pass the gradient back (saliency,
/// guided backpropagation, DeconvNet): one backward pass under `rules`, items in batches.
protocol RectifierRuleGradient: GradientAttribution {
    static var rules: BackwardRules { get }
}

extension RectifierRuleGradient {
    var batchesItems: Bool { true }

    func attributions(of batch: Tensor, for input: ExplanationInput, model: ModelContext) throws
        -> (attributions: Tensor, scalars: [String: Double]) {
        (try inputGradients(batch, target: input.target, model: model, rules: Self.rules), [:])
    }
}

extension GradientAttribution {
    /// The shared `explain`: attributions of the one input, reduced to [H, W].
    func explainByAttribution(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        let (a, scalars) = try attributions(of: input.input, for: input, model: model)
        let m = reduce.apply(a)
        return Explanation(map: m.reshaped([m.shape[1], m.shape[2]]), scalars: scalars)
    }

    /// d(target logit) / d(input) for a batch, under `rules`, in batches of at most `batch`.
    func inputGradients(_ inputs: Tensor, target: Int, model: ModelContext, rules: BackwardRules,
                        batch: Int = .max) throws -> Tensor {
        let engine = model.engine
        var parts: [Tensor] = []
        for r in Batching.ranges(count: inputs.batch, size: batch) {
            let x = r.count == inputs.batch ? inputs : inputs.slice(batch: r)
            parts.append(try TargetScore.inputGradients(engine: engine, input: x, target: target, rules: rules))
        }
        return parts.count == 1 ? parts[0] : Tensor.concatenate(parts)
    }
}
