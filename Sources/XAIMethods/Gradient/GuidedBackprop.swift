import XAICore
import XAIEngine

/// Guided backpropagation (Springenberg et al. 2015): the input gradient where every rectifier
/// (ReLU, ReLU6 / Clip, LeakyReLU) passes a gradient only where its forward input was active
/// and the incoming gradient is positive (`BackwardRules.guided`); channels reduced as `reduce`.
public struct GuidedBackprop: GradientAttribution {
    public static let kind = MethodKind.guidedBackprop
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        let p = try ParamReader(Self.kind, params)
        reduce = try p.choice("reduce", as: ChannelReduction.self)
    }

    var batchesItems: Bool { true }

    func attributions(of batch: Tensor, for input: ExplanationInput, model: ModelContext) throws
        -> (attributions: Tensor, scalars: [String: Double]) {
        (try inputGradients(batch, target: input.target, model: model, rules: .guided), [:])
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }
}
