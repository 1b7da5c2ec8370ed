import XAICore
import XAIEngine

/// Class activation mapping (Zhou et al. 2016): map = sum_c W[target, c] A_c, with W the weights
/// of the linear layer that follows the global average pool of the target layer. Only models
/// with that head qualify (checked; otherwise an error suggests Grad-CAM). The bias is left
/// out: it shifts every pixel by the same amount.
public struct CAM: CAMMethod {
    public static let descriptor = MethodDescriptor(
        "cam", family: .cam,
        summary: "class activation map: final linear layer weights times target-layer activations",
        paper: "Zhou, Khosla, Lapedriza, Oliva, Torralba. Learning Deep Features for Discriminative Localization. CVPR 2016",
        parameters: CAMSettings.parameters, layerUse: CAMSettings.layerUse, mapSign: CAMSettings.mapSign)
    let settings: CAMSettings

    public init(params: ResolvedParams) throws {
        settings = try CAMSettings(ParameterReader(method: Self.descriptor, params))
    }

    func rawMap(_ input: ExplanationInput, layer: TargetLayer, model: ModelContext) throws -> [Float] {
        let head = try ClassifierHead.find(after: layer, engine: model.engine, method: Self.kind)
        guard input.target < head.classes else {
            throw MethodError.invalidParameter(method: Self.kind.rawValue, parameter: "target",
                                               detail: "class \(input.target) is beyond the \(head.classes) outputs of the linear layer")
        }
        let acts = try model.engine.forward(input.input, retain: .outputsAnd([layer.name]))
        guard let a = acts[layer.name] else {
            throw MethodError.numeric(method: Self.kind.rawValue, detail: "no activation for '\(layer.name)'")
        }
        return FeatureMap(a).weightedSum(head.classWeights(input.target))
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainCAM(input, model: model)
    }
}
