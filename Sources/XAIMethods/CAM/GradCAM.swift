import XAICore

/// Grad-CAM (Selvaraju et al. 2017): channel weights are the spatial means of the gradients,
/// map = sum_c w_c A_c.
public struct GradCAM: GradientCAM {
    public static let descriptor = MethodDescriptor(
        "gradcam", family: .cam,
        summary: "target-layer activations weighted by their spatially averaged gradients",
        paper: "Selvaraju, Cogswell, Das, Vedantam, Parikh, Batra. Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization. ICCV 2017",
        parameters: CAMSettings.parameters, layerUse: CAMSettings.layerUse, mapSign: CAMSettings.mapSign)
    let settings: CAMSettings

    public init(params: ResolvedParams) throws {
        settings = try CAMSettings(ParameterReader(method: Self.descriptor, params))
    }

    func combine(activations a: FeatureMap, gradients g: FeatureMap) -> [Float] {
        a.weightedSum(g.spatialMeans())
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainCAM(input, model: model)
    }
}
