import XAICore

/// Grad-CAM (Selvaraju et al. 2017): channel weights are the spatial means of the gradients,
/// map = sum_c w_c A_c.
public struct GradCAM: GradientCAM {
    public static let kind = MethodKind.gradcam
    let settings: CAMSettings

    public init(params: ResolvedParams) throws {
        settings = try CAMSettings(ParamReader(Self.kind, params))
    }

    func combine(activations a: FeatureMap, gradients g: FeatureMap) -> [Float] {
        a.weightedSum(g.spatialMeans())
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainCAM(input, model: model)
    }
}
