import XAICore

/// What a backward rule may read: operand values (constants, or forward activations, fetched
/// only when the rule needs them), operand shapes and the step's forward output.
struct BackwardContext {
    let value: (Int) throws -> Tensor
    let shape: (Int) -> [Int]
    let output: () throws -> Tensor
    let rules: BackwardRules
    let workspace: Workspace
}

/// Backward rules of every op w.r.t. its data operands, in one place. Returns one gradient per
/// operand, nil where `need` is false. Weight gradients are never formed.
extension Step {
    func backward(_ dy: Tensor, need: [Bool], _ c: BackwardContext) throws -> [Tensor?] {
        var g = [Tensor?](repeating: nil, count: operands.count)
        switch op {
        case .conv:
            let plan = conv!
            var d = dy
            if let act = plan.activation {
                // The rectifier's mask reads the same from its output as from its input.
                d = Elementwise.rectifierBackward(act, ref: try c.output(), dy: dy, rules: c.rules,
                                                      workspace: c.workspace)
            }
            g[0] = plan.backwardInput(d, inputShape: c.shape(0), workspace: c.workspace)
        case let .batchNorm(eps):
            let (s, _) = Normalization.batchNormAffine(scale: try c.value(1), bias: try c.value(2), mean: try c.value(3),
                                                       variance: try c.value(4), epsilon: eps)
            g[0] = Normalization.channelAffine(dy, scale: s, shift: [Float](repeating: 0, count: s.count))
        case .relu, .clip, .leakyRelu:
            let act: FusedActivation
            switch op {
            case .relu: act = .relu
            case let .clip(lo, hi): act = .clip(min: lo, max: hi)
            case let .leakyRelu(a): act = .leakyRelu(alpha: a)
            default: preconditionFailure()
            }
            g[0] = Elementwise.rectifierBackward(act, ref: try c.value(0), dy: dy, rules: c.rules,
                                                      workspace: c.workspace)
        case .sigmoid, .hardSigmoid, .hardSwish, .tanh:
            let ref = Elementwise.backwardUsesOutput(op) ? try c.output() : try c.value(0)
            g[0] = Elementwise.backward(op, ref: ref, dy: dy)
        case let .softmax(axis):
            g[0] = Normalization.softmaxBackward(y: try c.output(), dy: dy, axis: axis)
        case .add, .sub:
            if need[0] { g[0] = Broadcast.reduce(dy, to: c.shape(0)) }
            if need[1] {
                let r = Broadcast.reduce(dy, to: c.shape(1))
                g[1] = op == .sub ? r.map { -$0 } : r
            }
        case .mul:
            if need[0] { g[0] = Broadcast.reduce(Broadcast.binary(.mul, dy, try c.value(1))!, to: c.shape(0)) }
            if need[1] { g[1] = Broadcast.reduce(Broadcast.binary(.mul, dy, try c.value(0))!, to: c.shape(1)) }
        case .div:
            let b = try c.value(1)
            let q = Broadcast.binary(.div, dy, b)!           // dy / b
            if need[0] { g[0] = Broadcast.reduce(q, to: c.shape(0)) }
            if need[1] {                                        // -dy * a / b^2 = -(dy / b) * (a / b)
                let ab = Broadcast.binary(.div, try c.value(0), b)!
                g[1] = Broadcast.reduce(Broadcast.binary(.mul, q, ab)!, to: c.shape(1)).map { -$0 }
            }
        case let .maxPool(p):
            g[0] = Pooling.backward(max: true, p, x: try c.value(0), inputShape: c.shape(0), dy: dy)
        case let .averagePool(p):
            g[0] = Pooling.backward(max: false, p, x: nil, inputShape: c.shape(0), dy: dy)
        case .globalAveragePool:
            g[0] = Pooling.globalAverageBackward(inputShape: c.shape(0), dy: dy)
        case .flatten, .reshape, .identity:
            g[0] = dy.reshaped(c.shape(0))
        case let .transpose(perm):
            g[0] = Layout.transpose(dy, perm: Layout.inversePerm(perm))
        case let .gemm(alpha, beta, ta, tb):
            let cv: Tensor? = operands.count > 2 ? try c.value(2) : nil
            let a = need[1] ? try c.value(0) : Tensor(zeros: c.shape(0))
            let b = try c.value(1)
            let r = MatrixKernels.gemmBackward(a, b, cv, dy: dy, alpha: alpha, beta: beta, transA: ta, transB: tb,
                                               need: need + (need.count < 3 ? [false] : []))
            for i in 0..<operands.count where need[i] { g[i] = r[i] }
        case .matMul:
            let a = need[1] ? try c.value(0) : Tensor(zeros: c.shape(0))
            let b = need[0] ? try c.value(1) : Tensor(zeros: c.shape(1))
            let r = MatrixKernels.matMulBackward(a, b, dy: dy, need: need)
            g[0] = r[0]
            g[1] = r[1]
        case let .concat(axis):
            let shapes = (0..<operands.count).map { c.shape($0) }
            for i in 0..<operands.count where need[i] {
                g[i] = Layout.concatSlice(dy, shapes: shapes, axis: axis, index: i)
            }
        case let .pad(pads, _):
            g[0] = Layout.padBackward(dy, inputShape: c.shape(0), pads: pads)
        case let .reduceMean(axes, _):
            g[0] = Normalization.reduceMeanBackward(dy, inputShape: c.shape(0), axes: axes)
        case let .lrn(size, alpha, beta, bias):
            g[0] = Normalization.lrnBackward(try c.value(0), dy: dy, size: size, alpha: alpha, beta: beta, bias: bias)
        }
        for i in g.indices where !need[i] { g[i] = nil }
        return g
    }
}
