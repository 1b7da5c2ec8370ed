import XAICore
import XAIEngine

/// Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation multiplied element-wise by
/// the upsampled Grad-CAM map (after its ReLU and normalisation), then reduced over colour
/// channels with `reduce`. `lowResolution` holds the Grad-CAM map.
public struct GuidedGradCAM: CAMMethod {
    static let reduce = ChannelReduction.parameter(default: .maxAbs, signed: false)
    public static let descriptor = MethodDescriptor(
        "guided_gradcam", family: .cam,
        summary: "guided backpropagation multiplied by the upsampled Grad-CAM map",
        paper: GradCAM.descriptor.paper,
        parameters: CAMSettings.parameters + [reduce], layerUse: CAMSettings.layerUse)
    let settings: CAMSettings
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        settings = try CAMSettings(p)
        reduce = try p[Self.reduce]
    }

    func rawMap(_ input: ExplanationInput, layer: TargetLayer, model: ModelContext) throws -> [Float] {
        let r = try TargetScore.gradients(engine: model.engine, input: input.input, target: input.target, wrt: [layer.name])
        guard let a = r.activations[layer.name], let g = r.grads[layer.name] else {
            throw MethodError.numeric(method: Self.kind.rawValue, detail: "no activation or gradient for '\(layer.name)'")
        }
        return FeatureMap(a).weightedSum(FeatureMap(g).spatialMeans())
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        let gradcam = try cam(input, model: model)
        let engine = model.engine
        let guided = try TargetScore.gradients(engine: engine, input: input.input, target: input.target,
                                               wrt: [engine.graph.input], rules: .guided).grads[engine.graph.input]!
        var product = guided
        let plane = gradcam.map.count
        for i in 0..<product.count { product.data[i] *= gradcam.map.data[i % plane] }
        let m = reduce.apply(product)
        return Explanation(map: m.reshaped([m.shape[1], m.shape[2]]),
                           lowResolution: gradcam.low, scalars: gradcam.scalars)
    }
}
