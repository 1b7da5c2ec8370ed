import XAICore

/// Forward semantics of every op, in one place. Shapes were checked at `Engine.init`, and a
/// batch only changes the leading dimension, so the kernels can trust their operands.
extension Step {
    func forward(_ x: [Tensor], workspace: Workspace) -> Tensor {
        switch op {
        case .conv:
            // Prepared at init: weights (BN folded), bias, fused rectifier.
            return conv!.forward(x[0], workspace: workspace)
        case let .batchNorm(eps):
            let (s, t) = Normalization.batchNormAffine(scale: x[1], bias: x[2], mean: x[3], variance: x[4], epsilon: eps)
            return Normalization.channelAffine(x[0], scale: s, shift: t)
        case .relu, .clip, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .tanh:
            return Elementwise.forward(op, x[0], workspace: workspace)
        case let .softmax(axis):
            return Normalization.softmax(x[0], axis: axis)
        case .add: return Broadcast.binary(.add, x[0], x[1], workspace: workspace)!
        case .sub: return Broadcast.binary(.sub, x[0], x[1], workspace: workspace)!
        case .mul: return Broadcast.binary(.mul, x[0], x[1], workspace: workspace)!
        case .div: return Broadcast.binary(.div, x[0], x[1], workspace: workspace)!
        case let .maxPool(p):
            return Pooling.forward(max: true, p, x[0])
        case let .averagePool(p):
            return Pooling.forward(max: false, p, x[0])
        case .globalAveragePool:
            return Pooling.globalAverage(x[0])
        case .flatten, .reshape:
            return x[0].reshaped(try! op.outputShape([x[0].shape]))
        case .identity:
            return x[0]
        case let .transpose(perm):
            return Layout.transpose(x[0], perm: perm)
        case let .gemm(alpha, beta, ta, tb):
            return MatrixKernels.gemm(x[0], x[1], x.count > 2 ? x[2] : nil, alpha: alpha, beta: beta, transA: ta, transB: tb)
        case .matMul:
            return MatrixKernels.matMul(x[0], x[1])!
        case let .concat(axis):
            return Layout.concat(x, axis: axis)
        case let .pad(pads, value):
            return Layout.pad(x[0], pads: pads, value: value)
        case let .reduceMean(axes, keep):
            return Normalization.reduceMean(x[0], axes: axes, keepDims: keep)
        case let .lrn(size, alpha, beta, bias):
            return Normalization.lrn(x[0], size: size, alpha: alpha, beta: beta, bias: bias)
        }
    }
}
