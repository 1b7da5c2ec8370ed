import XAICore
import XAIEngine

/// Vanilla gradient saliency (Simonyan et al. 2014): the gradient of the target logit with
/// respect to the normalised input, reduced over colour channels (default: max of |gradient|).
public struct Saliency: GradientAttribution {
    public static let kind = MethodKind.saliency
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        let p = try ParamReader(Self.kind, params)
        reduce = try p.choice("reduce", as: ChannelReduction.self)
    }

    var batchesItems: Bool { true }

    func attributions(of batch: Tensor, for input: ExplanationInput, model: ModelContext) throws
        -> (attributions: Tensor, scalars: [String: Double]) {
        (try inputGradients(batch, target: input.target, model: model, rules: .standard), [:])
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }
}
