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
    var operands: [Operand] { didSet { computedInputs = operands.compactMap(\.name) } }
    var activation: FusedActivation?
    /// Pre-packed convolution (weights, bias, geometry) for conv steps.
    var conv: ConvPlan?
    /// The names of the computed operands, in order. Stored with the operands: a pass reads
    /// them several times a step, and making them each time was a few hundred small
    /// allocations per batch-1 pass.
    private(set) var computedInputs: [String]

    init(node: Node, operands: [Operand], activation: FusedActivation?, conv: ConvPlan?) {
        self.node = node
        self.operands = operands
        self.activation = activation
        self.conv = conv
        computedInputs = operands.compactMap(\.name)
    }

    var op: Op { node.op }
    var output: String { node.output }
}
