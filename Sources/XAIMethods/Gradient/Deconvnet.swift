import XAICore
import XAIEngine

/// DeconvNet (Zeiler & Fergus 2014): the target score projected back to the input through the
/// network's transposed filters, where every rectifier (ReLU, ReLU6 / Clip, LeakyReLU) applies
/// its rectification to the backward signal itself: it passes max(gradient, 0) whatever its
/// forward input was (`BackwardRules.deconvnet`). Guided backpropagation differs exactly at
/// units whose forward input was inactive, which it blocks. Channels reduced as `reduce`.
public struct Deconvnet: GradientAttribution {
    static let reduce = ChannelReduction.parameter(default: .maxAbs, signed: false)
    public static let descriptor = MethodDescriptor(
        "deconvnet", family: .gradient,
        summary: "backward pass where ReLUs pass the positive part of the gradient whatever their input",
        paper: "Zeiler, Fergus. Visualizing and Understanding Convolutional Networks. ECCV 2014",
        parameters: [reduce])
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        reduce = try ParameterReader(method: Self.descriptor, params)[Self.reduce]
    }

    var batchesItems: Bool { true }

    func attributions(of batch: Tensor, for input: ExplanationInput, model: ModelContext) throws
        -> (attributions: Tensor, scalars: [String: Double]) {
        (try inputGradients(batch, target: input.target, model: model, rules: .deconvnet), [:])
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }
}
