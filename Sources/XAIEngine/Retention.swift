/// Which tensors a forward pass keeps in its `Activations`.
public enum Retention: Sendable {
    /// Only the graph outputs (logits).
    case outputs
    /// Every addressable tensor; required by `Engine.gradients`.
    case all
    /// The graph outputs plus the named tensors (exact names).
    case outputsAnd([String])
    /// Every tensor, and the input of each rectifier fused into a conv (`Activations.preActivation`):
    /// what the DeepLIFT rules read.
    case allWithPreActivations
}

/// How gradients pass through rectifying units (Relu, Clip, LeakyRelu, also when fused into a conv).
/// Every other op always uses its exact derivative.
public enum BackwardRules: Sendable {
    /// The exact derivative.
    case standard
    /// Guided backpropagation: the exact derivative, and additionally only where the incoming
    /// gradient is > 0. At Relu this passes the gradient where forward input > 0 and gradient > 0;
    /// at Clip (e.g. ReLU6) where min < input < max and gradient > 0; LeakyRelu is treated as
    /// Relu (its negative slope is dropped), as guided backprop is defined on rectifiers.
    case guided
    /// DeconvNet: passes max(gradient, 0) regardless of the forward input (Relu, Clip, LeakyRelu).
    case deconvnet
    /// DeepLIFT's multipliers (`DeepLiftRules`): at the activations and max pooling, the change of
    /// the output over the change of the input between the forward pass and `reference`, a
    /// forward pass of the reference inputs with the same batch size; both passes must be run
    /// with `Retention.allWithPreActivations`. Linear ops keep their derivative. `rule` chooses
    /// how activations share their change (`DeepLiftRule`).
    case deepLift(reference: Activations, rule: DeepLiftRule = .rescale)
}
