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
/// `.revealCancel`. For an activation y = f(z) after a linear op z = L(x) = sum_i w_i x_i + b,
/// the change dz = z - z0 splits into dz+ (the sum of the positive terms w_i dx_i, dx = x - x0)
/// and dz- (the negative ones), and
///     dy+ = 1/2 (f(z0 + dz+) - f(z0)) + 1/2 (f(z0 + dz- + dz+) - f(z0 + dz-)),
///     dy- = 1/2 (f(z0 + dz-) - f(z0)) + 1/2 (f(z0 + dz+ + dz-) - f(z0 + dz+)),
/// m+ = dy+ / dz+, m- = dy- / dz- (where dz+- is zero: the mean of f' at the two points the
/// secant would join). Backward through L (3.5.1), input i takes the multiplier of the part
/// its term joined: m_i = sum_j w_ji m+_j where w_ji dx_i > 0, w_ji m-_j where it is < 0, and
/// w_ji (m+_j + m-_j) / 2 where dx_i = 0. With S = m+ + m- and D = m+ - m- that is
///     m = L^T (S / 2) + sign(dx) |L|^T (D / 2),   and dz+- = (dz +- |L| |dx|) / 2,
/// |L| being L with absolute weights and no bias: one forward op ("spread") and two backward
/// ones. Since m+ dz+ + m- dz- = dy at every activation and the inputs' multipliers add up the
/// same terms, summation-to-delta holds as with rescale.
///
/// The linear ops whose terms are split: Conv (BatchNormalization folded in; with a fused
/// rectifier the activation is in the same step, `conv`), Gemm with constant weights, Add and
/// Sub (terms: the operands' changes), and the graph input itself (one term per element, so
/// there the rule equals rescale). The pair (m+, m-) lives between an activation and that op
/// only; the inputs of every other op take one multiplier. An activation after any other op (max pooling,
/// another activation, a reshape) and the ops without a DeepLIFT rule (Mul or Div of two
/// computed tensors, Softmax, LRN, LayerNormalization) are refused with
/// `EngineError.ruleUndefined` naming the node rather than given another rule. Other linear ops
/// and max pooling keep the rescale rules' multipliers.
///
/// Reference: no implementation of reveal-cancel runs offline here (Captum's `DeepLift` has only
/// rescale; kundajelab/deeplift needs Keras/TensorFlow 1), so the oracles are hand-computed
/// multipliers (`RevealCancelRuleTests`) and summation-to-delta on the embedded model. Like the
/// paper (and kundajelab/deeplift's Dense and Conv layers), the terms are w_i dx_i with each
/// input's whole change, not its own positive and negative parts.
enum RevealCancelRules {
    static let name = "DeepLIFT's reveal-cancel rule"

    /// Refuses the ops without a DeepLIFT rule.
    static func checkDefined(for step: Step) throws {
        switch step.op {
        case .mul, .div:
            guard step.computedInputs.count > 1 else { return }
        case .softmax, .lrn, .layerNorm:
            break
        default:
            return
        }
        throw EngineError.ruleUndefined(rule: name, op: step.op.onnxName, node: step.output,
                                        detail: "the op has no DeepLIFT rule; use rule: rescale, which reports the summation gap it causes")
    }

    /// |dx| of the graph input: its elements are single terms.
    static func spread(ofInput x: Tensor, _ x0: Tensor) -> Tensor {
        Tensor(shape: x.shape, data: zip(x.data, x0.data).map { abs($0 - $1) })
    }

    /// |L| |dx| of the linear op of step `p` (its values in both passes), the input of the step
    /// `activation`; an error for an op whose terms are not split.
    static func spread(of p: Step, _ pass: BackwardContext.ForwardValues, _ reference: BackwardContext.ForwardValues,
                       activation: Step, workspace: Workspace) throws -> Tensor {
        func change(_ i: Int) throws -> Tensor {
            if case let .constant(c) = p.operands[i] { return Tensor(zeros: c.shape) }
            return spread(ofInput: try pass.value(i), try reference.value(i))
        }
        switch p.op {
        case .conv where p.conv?.activation == nil:
            return absolute(p.conv!).forward(try change(0), workspace: workspace)
        case let .gemm(alpha, _, ta, tb) where p.computedInputs.count == 1 && p.operands[0].name != nil:
            return MatrixKernels.gemm(try change(0), try pass.value(1).map(abs), nil, alpha: abs(alpha), beta: 0, transA: ta, transB: tb)
        case .add, .sub:
            return Broadcast.binary(.add, try change(0), try change(1), workspace: workspace)!
        default:
            throw EngineError.ruleUndefined(
                rule: name, op: activation.op.onnxName, node: activation.output,
                detail: "the activation's input comes from '\(p.output)' (\(p.op.onnxName)\(p.conv?.activation != nil ? " with a fused activation" : "")), whose positive and negative terms xai does not split (it splits Conv, Gemm with constant weights, Add and Sub); use rule: rescale")
        }
    }

    /// One multiplier for tensor `name` whose positive and negative parts have multipliers
    /// `plus` and `minus` (asked for as a result): where its change is a single term (the graph
    /// input), the part it is; a zero change takes the mean. Without both passes' values of the
    /// tensor this is an error.
    static func collapse(plus: Tensor, minus: Tensor, _ pass: Activations, _ reference: Activations, _ name: String) throws -> Tensor {
        guard let x = pass[name], let x0 = reference[name], x.count == plus.count, x0.count == plus.count else {
            throw EngineError.badInput(detail: "reveal-cancel needs the values of '\(name)' in both passes to give its multipliers")
        }
        var m = plus
        for i in m.data.indices where x.data[i] <= x0.data[i] {
            m.data[i] = x.data[i] < x0.data[i] ? minus.data[i] : (plus.data[i] + minus.data[i]) / 2
        }
        return m
    }

    /// (m+, m-) of activation `f`'s input for m_out = `dy` (a step of its own).
    static func activation(_ f: Pointwise, _ dy: Tensor, _ c: BackwardContext) throws -> (plus: Tensor, minus: Tensor) {
        let r = try c.referenceValues()
        let z = try c.value(0), z0 = try r.value(0), y = try c.output(), y0 = try r.output()
        let spread = try c.inputSpread()
        var plus = dy, minus = dy
        for i in dy.data.indices {
            let dz = z.data[i] - z0.data[i]
            let m = multipliers(f, z0: z0.data[i], positive: (dz + spread.data[i]) / 2, negative: (dz - spread.data[i]) / 2,
                                y: y.data[i], y0: y0.data[i])
            plus.data[i] = dy.data[i] * m.plus
            minus.data[i] = dy.data[i] * m.minus
        }
        return (plus, minus)
    }

    /// Input multipliers of the linear op `step` whose output's positive part has multipliers
    /// `plus` and negative part `minus`: L^T (S / 2) + sign(dx) |L|^T (D / 2).
    static func linearBackward(_ step: Step, plus: Tensor, minus: Tensor, need: [Bool], _ c: BackwardContext) throws -> [Tensor?] {
        var halfSum = plus, halfDifference = plus
        for i in plus.data.indices {
            halfSum.data[i] = (plus.data[i] + minus.data[i]) / 2
            halfDifference.data[i] = (plus.data[i] - minus.data[i]) / 2
        }
        var g = try step.gradients(halfSum, need: need, c)
        let r = try c.referenceValues()
        for i in g.indices where g[i] != nil && i < need.count && need[i] {
            let d = try absoluteBackward(step, halfDifference, operand: i, c)
            try addSigned(d, to: &g[i]!, x: c.value(i), x0: r.value(i))
        }
        return g
    }

    /// |L|^T v for operand `i` of `step`.
    private static func absoluteBackward(_ step: Step, _ v: Tensor, operand i: Int, _ c: BackwardContext) throws -> Tensor {
        switch step.op {
        case .conv:
            return absolute(step.conv!).backwardInput(v, inputShape: c.shape(0), workspace: c.workspace)
        case let .gemm(alpha, _, ta, tb) where i == 0:
            let b = try c.value(1).map(abs)
            return MatrixKernels.gemmBackward(Tensor(zeros: c.shape(0)), b, nil, dy: v, alpha: abs(alpha), beta: 0,
                                              transA: ta, transB: tb, need: [true, false, false])[0]!
        case .add, .sub:
            return Broadcast.reduce(v, to: c.shape(i))
        default:
            throw EngineError.ruleUndefined(rule: name, op: step.op.onnxName, node: step.output,
                                            detail: "separate multipliers for its positive and negative terms reached an op whose terms are not split")
        }
    }

    /// m += sign(x - x0) * d, elementwise.
    private static func addSigned(_ d: Tensor, to m: inout Tensor, x: Tensor, x0: Tensor) {
        for i in m.data.indices where x.data[i] != x0.data[i] {
            m.data[i] += x.data[i] > x0.data[i] ? d.data[i] : -d.data[i]
        }
    }

    /// `plan` with absolute weights and no bias or activation: |L|.
    private static func absolute(_ plan: ConvPlan) -> ConvPlan {
        ConvPlan(attrs: plan.attrs, inChannels: plan.inChannels, outChannels: plan.outChannels,
                 weights: plan.weights.map(abs), bias: nil, activation: nil)
    }

    /// Input multipliers [N, C, H, W] of a convolution `plan` with fused activation `f` for
    /// m_out = `dy`: x, z (pre-activation), y from the forward pass, x0, z0, y0 from the reference
    /// pass.
    static func conv(_ plan: ConvPlan, _ f: Pointwise, dy: Tensor, x: Tensor, z: Tensor, y: Tensor,
                     x0: Tensor, z0: Tensor, y0: Tensor, workspace: Workspace) -> Tensor {
        let abs = absolute(plan)
        let spread = abs.forward(spread(ofInput: x, x0), workspace: workspace)
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
        addSigned(abs.backwardInput(halfDifference, inputShape: x.shape, workspace: workspace), to: &m, x: x, x0: x0)
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
