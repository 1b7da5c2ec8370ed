import XAICore
import XAIEngine

/// Guided backpropagation (Springenberg et al. 2015): the input gradient where every rectifier
/// (ReLU, ReLU6 / Clip, LeakyReLU) passes a gradient only where its forward input was active
/// and the incoming gradient is positive (`BackwardRules.guided`); channels reduced as `reduce`.
public struct GuidedBackprop: RectifierRuleGradient {
    static let reduce = ChannelReduction.parameter(default: .maxAbs, signed: false)
    public static let descriptor = MethodDescriptor(
        "guided_backprop", family: .gradient,
        summary: "gradient where ReLUs pass only positive gradients through positive activations",
        paper: "Springenberg, Dosovitskiy, Brox, Riedmiller. Striving for Simplicity: The All Convolutional Net. ICLR Workshop 2015",
        parameters: [reduce])
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        reduce = try ParameterReader(method: Self.descriptor, params)[Self.reduce]
    }

    static let rules = BackwardRules.guided

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }
}
