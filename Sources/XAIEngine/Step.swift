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
