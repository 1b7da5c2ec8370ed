import XAICore

/// Creates the explainer for a method kind from its parameters (the one `switch` over
/// `MethodKind`). Parameters not given take the catalogue's defaults; unknown or invalid ones
/// throw `MethodError.invalidParameter`.
public enum MethodRegistry {
    public static func make(_ kind: MethodKind, params: ResolvedParams = ResolvedParams()) throws -> any Explainer {
        switch kind {
        case .saliency: return try Saliency(params: params)
        case .integratedGradients: return try IntegratedGradients(params: params)
        case .smoothgrad: return try SmoothGrad(params: params)
        case .guidedBackprop: return try GuidedBackprop(params: params)
        case .cam: return try CAM(params: params)
        case .gradcam: return try GradCAM(params: params)
        case .gradcamPlusPlus: return try GradCAMPlusPlus(params: params)
        case .hirescam: return try HiResCAM(params: params)
        case .guidedGradcam: return try GuidedGradCAM(params: params)
        case .scorecam: return try ScoreCAM(params: params)
        case .dff: return try DeepFeatureFactorization(params: params)
        case .activationMaximization: return try ActivationMaximization(params: params)
        case .deepdream: return try DeepDream(params: params)
        case .occlusion: return try Occlusion(params: params)
        case .lime: return try LIME(params: params)
        case .kernelShap: return try KernelSHAP(params: params)
        case .rise: return try RISE(params: params)
        case .anchors: return try Anchors(params: params)
        case .extremalPerturbation: return try ExtremalPerturbation(params: params)
        }
    }
}
