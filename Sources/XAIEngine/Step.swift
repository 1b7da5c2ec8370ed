import XAICore

/// An operand of a step: a constant (weights, biases, broadcast operands) or a computed tensor.
enum Operand {
    case constant(Tensor)
    case computed(String)

    var name: String? {
        if case let .computed(n) = self { return n }
        return nil
    }
}

/// A rectifier applied in a conv's epilogue. Its derivative can be read off the fused output,
/// so backward (and the guided / deconvnet rules) need no pre-activation tensor.
enum FusedActivation: Equatable {
    case relu
    case clip(min: Float, max: Float)
    case leakyRelu(alpha: Float)

    init?(_ op: Op) {
        switch op {
        case .relu: self = .relu
        case let .clip(lo, hi) where lo <= hi: self = .clip(min: lo, max: hi)
        case let .leakyRelu(a) where a > 0: self = .leakyRelu(alpha: a)
        default: return nil
        }
    }

    var op: Op {
        switch self {
        case .relu: return .relu
        case let .clip(lo, hi): return .clip(min: lo, max: hi)
        case let .leakyRelu(a): return .leakyRelu(alpha: a)
        }
    }
}

/// One unit of execution: a graph node, possibly with a rectifier fused into it (conv only).
/// `output` is the name the step writes (the rectifier's output when fused).
struct Step {
    var node: Node
    var operands: [Operand]
    var activation: FusedActivation?
    /// Pre-packed convolution (weights, bias, geometry) for conv steps.
    var conv: ConvPlan?

    var op: Op { node.op }
    var output: String { node.output }
    var computedInputs: [String] { operands.compactMap(\.name) }
}
