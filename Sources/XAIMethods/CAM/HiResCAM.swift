import XAICore

/// HiResCAM (Draelos & Carin 2020): the element-wise product of gradients and activations
/// summed over channels, without Grad-CAM's spatial averaging of the gradients.
public struct HiResCAM: GradientCAM {
    public static let descriptor = MethodDescriptor(
        "hirescam", family: .cam,
        summary: "element-wise product of target-layer gradients and activations, summed over channels",
        paper: "Draelos, Carin. Use HiResCAM instead of Grad-CAM for faithful explanations of convolutional neural networks. 2020",
        parameters: CAMSettings.parameters, layerUse: CAMSettings.layerUse, mapSign: CAMSettings.mapSign)
    let settings: CAMSettings

    public init(params: ResolvedParams) throws {
        settings = try CAMSettings(ParameterReader(method: Self.descriptor, params))
    }

    func combine(activations a: FeatureMap, gradients g: FeatureMap) -> [Float] {
        a.productSum(g)
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainCAM(input, model: model)
    }
}
