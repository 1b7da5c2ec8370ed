import XAICore

/// HiResCAM (Draelos & Carin 2020): the element-wise product of gradients and activations
/// summed over channels, without Grad-CAM's spatial averaging of the gradients.
public struct HiResCAM: GradientCAM {
    public static let kind = MethodKind.hirescam
    let settings: CAMSettings

    public init(params: ResolvedParams) throws {
        settings = try CAMSettings(ParamReader(Self.kind, params))
    }

    func combine(activations a: FeatureMap, gradients g: FeatureMap) -> [Float] {
        a.productSum(g)
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainCAM(input, model: model)
    }
}
