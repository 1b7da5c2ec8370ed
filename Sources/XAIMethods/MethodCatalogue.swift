import XAICore

/// Every explanation method, in listing order (`xai methods`, the gallery's families). Adding a
/// method is its file, declaring its `descriptor`, plus one entry here.
public enum MethodCatalogue {
    public static let all: [any Explainer.Type] = [
        Saliency.self,
        IntegratedGradients.self,
        GradientSHAP.self,
        DeepLIFT.self,
        DeepSHAP.self,
        SmoothGrad.self,
        GuidedBackprop.self,
        Deconvnet.self,
        CAM.self,
        GradCAM.self,
        GradCAMPlusPlus.self,
        HiResCAM.self,
        GuidedGradCAM.self,
        ScoreCAM.self,
        DeepFeatureFactorization.self,
        ActivationMaximization.self,
        DeepDream.self,
        Occlusion.self,
        LIME.self,
        KernelSHAP.self,
        RISE.self,
        Anchors.self,
        ExtremalPerturbation.self,
        MeaningfulPerturbation.self,
    ]

    /// The descriptors of `all`, in the same order.
    public static let descriptors: [MethodDescriptor] = all.map { $0.descriptor }

    /// The descriptor of `kind`, if it is a known method.
    public static func descriptor(_ kind: MethodKind) -> MethodDescriptor? {
        descriptors.first { $0.kind == kind }
    }

    /// Creates the explainer for `kind` from its parameters. Parameters not given take the
    /// descriptor's defaults; unknown or invalid ones throw `MethodError.invalidParameter`.
    public static func make(_ kind: MethodKind, params: ResolvedParams = ResolvedParams()) throws -> any Explainer {
        guard let type = all.first(where: { $0.descriptor.kind == kind }) else {
            throw MethodError.unknownMethod(kind.rawValue, known: descriptors.map(\.kind.rawValue))
        }
        return try type.init(params: params)
    }
}
