import XAICore

/// Forward semantics of every op, routed to their families (`Ops/`). Shapes were checked at
/// `Engine.init`, and a batch only changes the leading dimension, so the kernels can trust
/// their operands.
extension Step {
    func forward(_ x: [Tensor], workspace: Workspace) -> Tensor {
        switch op {
        case .conv:
            // Prepared at init: weights (BN folded), bias, fused rectifier.
            return ConvolutionRules.forward(conv!, x[0], workspace: workspace)
        case let .batchNorm(eps): return NormalizationRules.batchNormForward(epsilon: eps, x)
        case let .pointwise(p): return p.forward(x[0], workspace: workspace)
        case let .softmax(axis): return NormalizationRules.softmaxForward(axis: axis, x[0])
        case .add: return ArithmeticRules.forward(.add, x, workspace: workspace)
        case .sub: return ArithmeticRules.forward(.sub, x, workspace: workspace)
        case .mul: return ArithmeticRules.forward(.mul, x, workspace: workspace)
        case .div: return ArithmeticRules.forward(.div, x, workspace: workspace)
        case let .maxPool(p): return PoolingRules.forward(max: true, p, x[0])
        case let .averagePool(p): return PoolingRules.forward(max: false, p, x[0])
        case .globalAveragePool: return PoolingRules.globalForward(x[0])
        case .flatten, .reshape: return LayoutRules.relabelForward(op, x[0])
        case .identity: return x[0]
        case let .transpose(perm): return LayoutRules.transposeForward(perm: perm, x[0])
        case let .concat(axis): return LayoutRules.concatForward(axis: axis, x)
        case let .pad(pads, value): return LayoutRules.padForward(pads: pads, value: value, x[0])
        case let .gemm(alpha, beta, ta, tb):
            return LinearRules.gemmForward(alpha: alpha, beta: beta, transA: ta, transB: tb, x)
        case .matMul: return LinearRules.matMulForward(x)
        case let .reduceMean(axes, keep): return ReductionRules.meanForward(axes: axes, keepDims: keep, x[0])
        case let .lrn(size, alpha, beta, bias):
            return NormalizationRules.lrnForward(size: size, alpha: alpha, beta: beta, bias: bias, x[0])
        case let .layerNorm(axis, eps): return NormalizationRules.layerNormForward(axis: axis, epsilon: eps, x)
        }
    }
}
