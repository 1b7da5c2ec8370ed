import XAICore

/// What a backward rule may read: operand values (constants, or forward activations, fetched
/// only when the rule needs them), operand shapes and the step's forward values; under the
/// DeepLIFT rules also the same values in the reference pass.
struct BackwardContext {
    let value: (Int) throws -> Tensor
    let shape: (Int) -> [Int]
    let output: () throws -> Tensor
    /// The input of the rectifier fused into a conv step.
    let preActivation: () throws -> Tensor
    let rules: BackwardRules
    let workspace: Workspace
    /// The step's values in the reference pass (`BackwardRules.deepLift`), else nil.
    let reference: ForwardValues?
    /// Under reveal-cancel: the multipliers of the negative part of the step's output where they
    /// differ from those of the positive part (`dy`), else nil.
    var negative: Tensor? = nil
    /// Under reveal-cancel: the spread |L| |dx| of the linear op L that computed operand 0
    /// (`RevealCancelRules.spread`), which splits its change into positive and negative terms.
    var inputSpread: () throws -> Tensor = { throw EngineError.badInput(detail: "no spread outside reveal-cancel") }
    /// For a depthwise conv: the rectifier mask of the step that made operand 0, to apply to the
    /// input gradient as the kernel writes it (set by `Engine.gradients` where this step is that
    /// tensor's only reader); that step then gets `gradientIsMasked`.
    var inputMask: GradientMask? = nil
    /// Whether dy arrives with this step's own rectifier mask applied (by its reader).
    var gradientIsMasked = false

    /// One forward pass's values of a step.
    struct ForwardValues {
        let value: (Int) throws -> Tensor
        let output: () throws -> Tensor
        let preActivation: () throws -> Tensor
    }

    /// The reference pass's values; an error outside the DeepLIFT rules.
    func referenceValues() throws -> ForwardValues {
        guard let reference else { throw EngineError.badInput(detail: "a DeepLIFT rule ran without a reference pass") }
        return reference
    }
}

/// Backward rules of every op w.r.t. its data operands, routed to their families (`Ops/`).
/// Returns one gradient per operand, nil where `need` is false, and under reveal-cancel the
/// multipliers of operand 0's negative part where they differ (an activation's input).
/// Weight gradients are never formed.
extension Step {
    func backward(_ dy: Tensor, need: [Bool], _ c: BackwardContext) throws -> (gradients: [Tensor?], negative: Tensor?) {
        if case .deepLift(_, .revealCancel) = c.rules {
            try RevealCancelRules.checkDefined(for: self)
            if case let .pointwise(f) = op {
                let (plus, minus) = try RevealCancelRules.activation(f, dy, c)
                return ([plus], minus)
            }
            if let negative = c.negative {
                return (try RevealCancelRules.linearBackward(self, plus: dy, minus: negative, need: need, c), nil)
            }
        }
        return (try gradients(dy, need: need, c), nil)
    }

    /// The rule table: each op's rule (the DeepLIFT rules' under `.deepLift`).
    func gradients(_ dy: Tensor, need: [Bool], _ c: BackwardContext) throws -> [Tensor?] {
        var g: [Tensor?]
        switch op {
        case .conv: g = [try ConvolutionRules.backward(conv!, dy, c)]
        case let .batchNorm(eps): g = [try NormalizationRules.batchNormBackward(epsilon: eps, dy, c)]
        case let .pointwise(p): g = [try p.backward(dy, c)]
        case let .softmax(axis): g = [try NormalizationRules.softmaxBackward(axis: axis, dy, c)]
        case .add: g = try ArithmeticRules.backward(.add, dy, need: need, c)
        case .sub: g = try ArithmeticRules.backward(.sub, dy, need: need, c)
        case .mul: g = try ArithmeticRules.backward(.mul, dy, need: need, c)
        case .div: g = try ArithmeticRules.backward(.div, dy, need: need, c)
        case let .maxPool(p): g = [try PoolingRules.backward(max: true, p, dy, c)]
        case let .averagePool(p): g = [try PoolingRules.backward(max: false, p, dy, c)]
        case .globalAveragePool: g = [PoolingRules.globalBackward(dy, c)]
        case .flatten, .reshape, .identity: g = [LayoutRules.relabelBackward(dy, c)]
        case let .transpose(perm): g = [LayoutRules.transposeBackward(perm: perm, dy)]
        case let .concat(axis): g = LayoutRules.concatBackward(axis: axis, dy, need: need, c)
        case let .pad(pads, _): g = [LayoutRules.padBackward(pads: pads, dy, c)]
        case let .gemm(alpha, beta, ta, tb):
            g = try LinearRules.gemmBackward(alpha: alpha, beta: beta, transA: ta, transB: tb, dy, need: need, c)
        case .matMul: g = try LinearRules.matMulBackward(dy, need: need, c)
        case let .reduceMean(axes, _): g = [ReductionRules.meanBackward(axes: axes, dy, c)]
        case let .lrn(size, alpha, beta, bias):
            g = [try NormalizationRules.lrnBackward(size: size, alpha: alpha, beta: beta, bias: bias, dy, c)]
        case let .layerNorm(axis, eps): g = [try NormalizationRules.layerNormBackward(axis: axis, epsilon: eps, dy, c)]
        }
        // Rules may return a gradient for an optional operand the step lacks (Gemm's C).
        g = Array(g.prefix(operands.count)) + [Tensor?](repeating: nil, count: max(0, operands.count - g.count))
        for i in g.indices where !need[i] { g[i] = nil }
        return g
    }
}
