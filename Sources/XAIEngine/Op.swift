/// Operator semantics follow ONNX. Constant operands (weights, biases, BN statistics,
/// broadcast operands) are node inputs that name entries of `Graph.constants`.
///
/// Each family's rules (shape, forward, backward) live together in `Ops/`; the `Op+Shape`,
/// `Op+Forward` and `Op+Backward` switches only route a case to its family.
public enum Op: Sendable, Equatable {
    /// inputs: X [N,C,H,W], W [M, C/group, kH, kW], optional B [M].
    case conv(Conv2D)
    /// Inference batch norm; inputs: X, scale, bias, mean, variance.
    case batchNorm(epsilon: Float)
    /// An activation applied element by element (`Ops/Pointwise.swift`).
    case pointwise(Pointwise)
    case softmax(axis: Int)
    /// Elementwise with numpy-style broadcasting.
    case add, sub, mul, div
    case maxPool(Pool2D)
    case averagePool(Pool2D)
    case globalAveragePool
    case flatten(axis: Int)
    /// ONNX Reshape semantics: 0 copies the input dimension, -1 is inferred.
    case reshape(shape: [Int])
    case transpose(perm: [Int])
    /// Y = alpha * A' * B' + beta * C; inputs A, B, optional C.
    case gemm(alpha: Float, beta: Float, transA: Bool, transB: Bool)
    case matMul
    case concat(axis: Int)
    /// Constant padding; `pads` = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] over all axes.
    case pad(pads: [Int], value: Float)
    case identity
    case reduceMean(axes: [Int], keepDims: Bool)
    case lrn(size: Int, alpha: Float, beta: Float, bias: Float)
    /// Layer normalisation over the axes from `axis` on; inputs X, scale, optional bias (each
    /// as many values as the normalised axes hold).
    case layerNorm(axis: Int, epsilon: Float)
}

extension Op {
    /// The ONNX operator name, for messages and `xai layers`.
    public var onnxName: String {
        switch self {
        case .conv: return "Conv"
        case .batchNorm: return "BatchNormalization"
        case let .pointwise(p): return p.onnxName
        case .softmax: return "Softmax"
        case .add: return "Add"
        case .sub: return "Sub"
        case .mul: return "Mul"
        case .div: return "Div"
        case .maxPool: return "MaxPool"
        case .averagePool: return "AveragePool"
        case .globalAveragePool: return "GlobalAveragePool"
        case .flatten: return "Flatten"
        case .reshape: return "Reshape"
        case .transpose: return "Transpose"
        case .gemm: return "Gemm"
        case .matMul: return "MatMul"
        case .concat: return "Concat"
        case .pad: return "Pad"
        case .identity: return "Identity"
        case .reduceMean: return "ReduceMean"
        case .lrn: return "LRN"
        case .layerNorm: return "LayerNormalization"
        }
    }

    /// Allowed number of inputs.
    var arity: ClosedRange<Int> {
        switch self {
        case .conv: return 2...3
        case .batchNorm: return 5...5
        case .add, .sub, .mul, .div, .matMul: return 2...2
        case .gemm, .layerNorm: return 2...3
        case .concat: return 1...Int.max
        default: return 1...1
        }
    }
}
