import XAICore

/// Grad-CAM++ (Chattopadhyay et al. 2018): channel weights w_c = sum_ij alpha_ij relu(G_ij)
/// with alpha_ij = G_ij^2 / (2 G_ij^2 + sum_ab A_ab G_ij^3), the closed form the paper derives
/// for an exponential of the class score (higher derivatives as powers of the first);
/// alpha is 0 where the gradient is 0.
public struct GradCAMPlusPlus: GradientCAM {
    public static let descriptor = MethodDescriptor(
        "gradcam_plus_plus", family: .cam,
        summary: "Grad-CAM with weights from second- and third-order gradient terms",
        paper: "Chattopadhyay, Sarkar, Howlader, Balasubramanian. Grad-CAM++: Generalized Gradient-based Visual Explanations for Deep Convolutional Networks. WACV 2018",
        parameters: CAMSettings.parameters, layerUse: CAMSettings.layerUse, mapSign: CAMSettings.mapSign)
    let settings: CAMSettings

    public init(params: ResolvedParams) throws {
        settings = try CAMSettings(ParameterReader(method: Self.descriptor, params))
    }

    func combine(activations a: FeatureMap, gradients g: FeatureMap) -> [Float] {
        let p = a.pixels
        let weights: [Float] = (0..<a.channels).map { c in
            let base = c * p
            var activationSum: Float = 0
            for i in 0..<p { activationSum += a.data[base + i] }
            var w: Float = 0
            for i in 0..<p {
                let gi = g.data[base + i]
                guard gi != 0 else { continue }
                let g2 = gi * gi
                let denominator = 2 * g2 + activationSum * g2 * gi
                let alpha = denominator != 0 ? g2 / denominator : 0
                w += alpha * Swift.max(gi, 0)
            }
            return w
        }
        return a.weightedSum(weights)
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainCAM(input, model: model)
    }
}
