import XAICore

/// How DeepLIFT's rules share an activation's change of output (Shrikumar, Greenside, Kundaje.
/// Learning Important Features Through Propagating Activation Differences. ICML 2017, 3.5).
public enum DeepLiftRule: String, ParamChoice, Sendable {
    /// Section 3.5.2: one multiplier per activation, (y - y0) / (x - x0).
    case rescale
    /// Section 3.5.3: the input's change split into the sums of the positive and the negative
    /// terms of the linear op before it, each with its own multiplier (`RevealCancelRules`).
    case revealCancel = "reveal_cancel"
}

/// DeepLIFT's reveal-cancel rule (section 3.5.3), used under `BackwardRules.deepLift` with
/// `.revealCancel`. For an activation y = f(z) after a linear op z = sum_i w_i x_i + b, the
/// change dz = z - z0 splits into dz+ (the sum of the positive terms w_i dx_i, dx = x - x0) and
/// dz- (the negative ones), and
///     dy+ = 1/2 (f(z0 + dz+) - f(z0)) + 1/2 (f(z0 + dz- + dz+) - f(z0 + dz-)),
///     dy- = 1/2 (f(z0 + dz-) - f(z0)) + 1/2 (f(z0 + dz+ + dz-) - f(z0 + dz+)),
/// m+ = dy+ / dz+, m- = dy- / dz- (where dz+- is zero: the mean of f' at the two points the
/// secant would join). Backward through the linear op (3.5.1), input i takes the multiplier of
/// the part its term joined: m_i = sum_j w_ji m+_j where w_ji dx_i > 0, w_ji m-_j where it is
/// < 0, and w_ji (m+_j + m-_j) / 2 where dx_i = 0. With S = m+ + m- and D = m+ - m- that is
///     m = 1/2 W^T S + 1/2 sign(dx) |W|^T D,   and dz+- = 1/2 (dz +- |W| |dx|),
/// two transposed convolutions (with W and |W|) and one forward one (with |W|, no bias). Since
/// m+ dz+ + m- dz- = dy at every activation and the input multipliers add up the same terms,
/// summation-to-delta holds as with rescale.
///
/// The split needs the terms of the linear op that feeds the activation, so the rule is defined
/// where xai has both in one step: a convolution (BatchNormalization folded in) with its
/// rectifier fused (Relu, Clip such as ReLU6, LeakyRelu), which is every activation of a
/// ReLU/ReLU6 CNN such as EfficientNet-Lite0 or ResNet's convs. An activation in a step of its
/// own (after Gemm, Add, or a smooth one such as sigmoid), and ops without a DeepLIFT rule
/// (Mul or Div of two computed tensors, Softmax, LRN, LayerNormalization), are refused with
/// `EngineError.ruleUndefined` rather than given another rule. Linear ops elsewhere and max
/// pooling keep the rescale rules' multipliers (a max pool's output goes into a linear op, which
/// takes one multiplier per input, as in the reference implementation).
///
/// Reference: no implementation of reveal-cancel runs offline here (Captum's `DeepLift` has only
/// rescale; kundajelab/deeplift needs Keras/TensorFlow 1), so the oracles are hand-computed
/// multipliers (`RevealCancelRuleTests`) and summation-to-delta on the embedded model.
enum RevealCancelRules {
    static let name = "DeepLIFT's reveal-cancel rule"

    /// Refuses the steps the rule is not defined for (see the type's comment).
    static func checkDefined(for step: Step) throws {
        let detail: String
        switch step.op {
        case .pointwise:
            detail = "the activation is a step of its own, so the positive and negative terms of the op before it are not known here (xai splits them for activations fused into a convolution); use rule: rescale"
        case .mul, .div:
            guard step.computedInputs.count > 1 else { return }
            detail = "a product or quotient of two computed tensors has no DeepLIFT rule; use rule: rescale, which reports the summation gap it causes"
        case .softmax, .lrn, .layerNorm:
            detail = "the op has no DeepLIFT rule; use rule: rescale, which reports the summation gap it causes"
        default:
            return
        }
        throw EngineError.ruleUndefined(rule: name, op: step.op.onnxName, node: step.output, detail: detail)
    }

    /// Input multipliers [N, C, H, W] of a convolution `plan` with fused activation `f` for
    /// m_out = `dy`: x, z (pre-activation), y from the forward pass, x0, z0, y0 from the reference
    /// pass.
    static func conv(_ plan: ConvPlan, _ f: Pointwise, dy: Tensor, x: Tensor, z: Tensor, y: Tensor,
                     x0: Tensor, z0: Tensor, y0: Tensor, workspace: Workspace) -> Tensor {
        let absolute = ConvPlan(attrs: plan.attrs, inChannels: plan.inChannels, outChannels: plan.outChannels,
                                weights: plan.weights.map(abs), bias: nil, activation: nil)
        var dx = x
        for i in dx.data.indices { dx.data[i] = x.data[i] - x0.data[i] }
        let magnitude = Tensor(shape: dx.shape, data: dx.data.map(abs))
        let spread = absolute.forward(magnitude, workspace: workspace)
        // Half sums and differences of the two multipliers, times m_out.
        var halfSum = dy, halfDifference = dy
        for i in dy.data.indices {
            let dz = z.data[i] - z0.data[i]
            let (mPlus, mMinus) = multipliers(f, z0: z0.data[i], positive: (dz + spread.data[i]) / 2,
                                              negative: (dz - spread.data[i]) / 2, y: y.data[i], y0: y0.data[i])
            halfSum.data[i] = dy.data[i] * (mPlus + mMinus) / 2
            halfDifference.data[i] = dy.data[i] * (mPlus - mMinus) / 2
        }
        var m = plan.backwardInput(halfSum, inputShape: x.shape, workspace: workspace)
        let d = absolute.backwardInput(halfDifference, inputShape: x.shape, workspace: workspace)
        for i in m.data.indices where dx.data[i] != 0 {
            m.data[i] += dx.data[i] > 0 ? d.data[i] : -d.data[i]
        }
        return m
    }

    /// (m+, m-) of activation `f` at reference input `z0` for the parts dz+ = `positive`,
    /// dz- = `negative`; `y` = f(z0 + dz+ + dz-) and `y0` = f(z0) are the passes' values, so that
    /// m+ dz+ + m- dz- = y - y0 to rounding.
    static func multipliers(_ f: Pointwise, z0: Float, positive: Float, negative: Float, y: Float, y0: Float)
        -> (plus: Float, minus: Float) {
        let eps = f.isPiecewiseLinear ? 0 : DeepLiftRules.smoothEpsilon
        let fPlus = f.value(z0 + positive), fMinus = f.value(z0 + negative)
        let dyPlus = ((fPlus - y0) + (y - fMinus)) / 2
        let dyMinus = ((fMinus - y0) + (y - fPlus)) / 2
        // A part that is zero: the secant's limit, the mean slope at the two points it would join.
        let plus = abs(positive) > eps ? dyPlus / positive
            : (f.derivative(z0 + positive / 2) + f.derivative(z0 + negative + positive / 2)) / 2
        let minus = abs(negative) > eps ? dyMinus / negative
            : (f.derivative(z0 + negative / 2) + f.derivative(z0 + positive + negative / 2)) / 2
        return (plus, minus)
    }
}
