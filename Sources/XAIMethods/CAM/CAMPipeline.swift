import XAICore
import XAIEngine
import XAIImaging

/// Settings every CAM method takes: the target layer, the ReLU policy and the normalisation.
///
/// ReLU policy: with `relu: true` (default, as in the papers) the low-resolution map is clamped
/// at 0 *before* normalising, so only evidence for the class is shown. With `relu: false` the
/// raw signed map is kept; it is then signed unless `normalize: minmax` shifts it (`mapSign`).
/// Normalisation is applied to the low-resolution map, which is then upsampled bilinearly
/// (align_corners = false) to the input resolution, so both maps share one scale.
struct CAMSettings: Sendable {
    let targetLayer: String
    let relu: Bool
    let normalize: MapNormalization

    static let relu = Param<Bool>("relu", default: true, "clamp the map at 0 before normalising (as in the papers)")
    static let normalize = Param<MapNormalization>(
        "normalize", default: .minmax, "scale the map to [0, 1] by min and max, by max only, or keep raw values")
    /// The parameters every CAM method takes.
    static let parameters: [any ParameterDeclaration] = [TargetLayer.parameter, relu, normalize]
    /// CAM methods read the target layer in every run.
    static let layerUse = MethodDescriptor.LayerUse.targetLayer(parameter: TargetLayer.parameter.name)
    /// Signed when neither the ReLU nor a min-max shift removes the sign.
    static let mapSign = MethodDescriptor.MapSign.when {
        relu.value(in: $0) == false && normalize.value(in: $0) != .minmax
    }

    init(_ p: ParameterReader) throws {
        targetLayer = try p[TargetLayer.parameter]
        relu = try p[Self.relu]
        normalize = try p[Self.normalize]
    }
}

/// A CAM computed at the model's resolution: the low-resolution map and its upsampled form.
struct CAMResult {
    /// [h, w] after ReLU and normalisation.
    var low: Tensor
    /// [H, W], bilinear upsampling of `low`.
    var map: Tensor
    var scalars: [String: Double]
}

/// The pipeline shared by the CAM family: resolve the layer, let the method compute its raw
/// low-resolution map, then ReLU, normalise and upsample.
protocol CAMMethod: Explainer {
    var settings: CAMSettings { get }
    /// The raw map [h * w] over the layer's pixels for `input.target`.
    func rawMap(_ input: ExplanationInput, layer: TargetLayer, model: ModelContext) throws -> [Float]
}

extension CAMMethod {
    func cam(_ input: ExplanationInput, model: ModelContext) throws -> CAMResult {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        let layer = try TargetLayer.resolve(settings.targetLayer, model: model, method: Self.kind)
        var raw = try rawMap(input, layer: layer, model: model)
        let scalars: [String: Double] = ["raw_min": Double(raw.min() ?? 0), "raw_max": Double(raw.max() ?? 0)]
        if settings.relu { raw = raw.map { Swift.max($0, 0) } }
        let low = settings.normalize.apply(raw)
        let (h, w) = (input.input.shape[2], input.input.shape[3])
        let up = MapResize.bilinear(low, h: layer.height, w: layer.width, toH: h, toW: w)
        return CAMResult(low: Tensor(shape: [layer.height, layer.width], data: low),
                         map: Tensor(shape: [h, w], data: up), scalars: scalars)
    }

    /// The `explain` of every CAM method.
    func explainCAM(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        let r = try cam(input, model: model)
        return Explanation(map: r.map, lowResolution: r.low, scalars: r.scalars)
    }
}

/// CAM methods built from the target layer's activations A and the gradients G of the target
/// logit with respect to them (one forward and one backward pass).
protocol GradientCAM: CAMMethod {
    /// Combines A and G (item 0, [C, h, w] each) into the raw map [h * w].
    func combine(activations a: FeatureMap, gradients g: FeatureMap) -> [Float]
}

extension GradientCAM {
    func rawMap(_ input: ExplanationInput, layer: TargetLayer, model: ModelContext) throws -> [Float] {
        let r = try TargetScore.gradients(engine: model.engine, input: input.input, target: input.target, wrt: [layer.name])
        guard let a = r.activations[layer.name], let g = r.grads[layer.name] else {
            throw MethodError.numeric(method: Self.kind.rawValue, detail: "the engine returned no activation or gradient for '\(layer.name)'")
        }
        return combine(activations: FeatureMap(a), gradients: FeatureMap(g))
    }
}
