import XAICore

/// Tensors kept by a forward pass, by name, in the batch layout they were computed in
/// (NCHW float32 for feature maps, [N, classes] for logits).
public struct Activations: Sendable {
    var values: [String: Tensor]
    /// The input of each conv-fused rectifier, by the step's output name (kept on request only).
    var preActivations: [String: Tensor] = [:]
    /// Name of the logits tensor.
    public let outputName: String
    /// Names of the retained tensors in topological order.
    public let names: [String]

    init(values: [String: Tensor], outputName: String, order: [String]) {
        self.values = values
        self.outputName = outputName
        self.names = order.filter { values[$0] != nil }
    }

    public subscript(name: String) -> Tensor? { values[name] }

    /// The rectifier's input when `name` is the output of a conv with a fused rectifier, if kept.
    public func preActivation(_ name: String) -> Tensor? { preActivations[name] }

    /// The logits, [N, classes]. Empty when a sub-graph evaluation did not reach them.
    public var output: Tensor { values[outputName] ?? Tensor(zeros: [0]) }

    /// Batch size of the retained tensors.
    public var batch: Int { values[outputName]?.batch ?? values.values.first?.batch ?? 0 }
}
