import XAICore

/// A CNN as a list of nodes in topological order over named float32 tensors (NCHW).
/// The ONNX importer produces it; `Engine` runs it. Every tensor a node writes can be
/// addressed by name (activations, gradients, sub-graph evaluation).
public struct Graph: Sendable {
    /// Name of the model's image input; its shape is [N, C, H, W] with N free.
    public var input: String
    /// Shape of one input item, [C, H, W].
    public var inputShape: [Int]
    /// Names of the graph outputs (the first is taken as the logits).
    public var outputs: [String]
    public var nodes: [Node]
    /// Weights and other constant tensors, by name.
    public var constants: [String: Tensor]
    /// Where the graph came from (a file path), for error messages.
    public var source: String
    /// The module of the source framework that computed a tensor (`layer4.1.relu`), by tensor
    /// name, where the file records it (PyTorch's default exporter does); for `xai layers`.
    public var modulePaths: [String: String] = [:]

    public init(input: String, inputShape: [Int], outputs: [String], nodes: [Node],
                constants: [String: Tensor], source: String = "<memory>") {
        self.input = input
        self.inputShape = inputShape
        self.outputs = outputs
        self.nodes = nodes
        self.constants = constants
        self.source = source
    }
}

/// One operation. Inputs name tensors (graph input, constants or other nodes' outputs).
public struct Node: Sendable {
    public var name: String
    public var op: Op
    public var inputs: [String]
    public var output: String

    public init(name: String, op: Op, inputs: [String], output: String) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.output = output
    }
}
