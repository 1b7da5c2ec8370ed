/// A rectifier applied in a conv's epilogue. Its derivative can be read off the fused output,
/// so backward (and the guided / deconvnet rules) need no pre-activation tensor.
enum FusedActivation: Equatable {
    case relu
    case clip(min: Float, max: Float)
    case leakyRelu(alpha: Float)
}
