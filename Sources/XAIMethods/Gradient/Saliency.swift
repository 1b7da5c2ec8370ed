import XAICore
import XAIEngine

/// Vanilla gradient saliency (Simonyan et al. 2014): the gradient of the target logit with
/// respect to the normalised input, reduced over colour channels (default: max of |gradient|).
public struct Saliency: RectifierRuleGradient {
    static let reduce = ChannelReduction.parameter(default: .maxAbs, signed: false)
    public static let descriptor = MethodDescriptor(
        "saliency", family: .gradient,
        summary: "gradient of the target score with respect to the input pixels",
        paper: "Simonyan, Vedaldi, Zisserman. Deep Inside Convolutional Networks: Visualising Image Classification Models and Saliency Maps. ICLR Workshop 2014",
        parameters: [reduce])
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        reduce = try ParameterReader(method: Self.descriptor, params)[Self.reduce]
    }

    static let rules = BackwardRules.standard

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }
}
