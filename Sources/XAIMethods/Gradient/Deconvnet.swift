import XAICore
import XAIEngine

/// DeconvNet (Zeiler & Fergus 2014): the target score projected back to the input through the
/// network's transposed filters, where every rectifier (ReLU, ReLU6 / Clip, LeakyReLU) applies
/// its rectification to the backward signal itself: it passes max(gradient, 0) whatever its
/// forward input was (`BackwardRules.deconvnet`). Guided backpropagation differs exactly at
/// units whose forward input was inactive, which it blocks. Channels reduced as `reduce`.
public struct Deconvnet: RectifierRuleGradient {
    static let reduce = ChannelReduction.parameter(default: .maxAbs, signed: false)
    public static let descriptor = MethodDescriptor(
        "deconvnet", family: .gradient,
        summary: "backward pass where ReLUs pass the positive part of the gradient whatever their input",
        paper: Occlusion.descriptor.paper, // the same paper introduced both
        parameters: [reduce])
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        reduce = try ParameterReader(method: Self.descriptor, params)[Self.reduce]
    }

    static let rules = BackwardRules.deconvnet

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }
}
