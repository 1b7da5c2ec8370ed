import XAICore
import XAIEngine
import XAIImaging

/// Score-CAM (Wang et al. 2020): each target-layer channel A_k is upsampled to the input size,
/// scaled to [0, 1] (min-max; a constant channel gives an all-zero mask) and multiplied into
/// the normalised input; the channel's weight is the softmax probability of the target class
/// on that masked input (the paper's class probability; no baseline subtraction, no softmax
/// across channels as some libraries do). map = sum_k w_k A_k. Masked inputs run in batches of
/// `batch`; with a shared cache the logits of all masks are stored per image and layer, so
/// other targets and settings reuse them.
public struct ScoreCAM: CAMMethod {
    static let batch = Batching.parameter(32)
    public static let descriptor = MethodDescriptor(
        "scorecam", family: .cam,
        summary: "target-layer channels weighted by the class probability of the input masked by each channel",
        paper: "Wang, Wang, Du, Yang, Zhang, Ding, Mardziel, Hu. Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks. CVPR Workshops 2020",
        parameters: CAMSettings.parameters + [batch, PrecisionOption.parameter], layerUse: CAMSettings.layerUse,
        mapSign: CAMSettings.mapSign)
    let settings: CAMSettings
    let batch: Int
    let precision: Precision

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        settings = try CAMSettings(p)
        batch = try p[Self.batch]
        precision = try p[PrecisionOption.parameter]
    }

    func rawMap(_ input: ExplanationInput, layer: TargetLayer, model: ModelContext) throws -> [Float] {
        let engine = model.engine
        let acts = try engine.forward(input.input, retain: .outputsAnd([layer.name]))
        guard let t = acts[layer.name] else {
            throw MethodError.numeric(method: Self.kind.rawValue, detail: "no activation for '\(layer.name)'")
        }
        let a = FeatureMap(t)
        let logits = try maskedLogits(input, activations: a, model: model, layerName: layer.name)
        let probabilities = softmax(logits)
        let weights = TargetScore.values(probabilities, target: input.target)
        return a.weightedSum(weights)
    }

    /// Logits [C, classes] of the input masked by each upsampled channel.
    func maskedLogits(_ input: ExplanationInput, activations a: FeatureMap, model: ModelContext,
                      layerName: String) throws -> Tensor {
        // bf16 logits (and the activations that made the masks) are kept apart from fp32 ones.
        let precision = model.engine.precision
        let key = "scorecam-logits/\(input.contentKey)/\(layerName)" + (precision == .fp32 ? "" : "/precision=\(precision.rawValue)")
        if let cached = model.cache?.load(key), cached.shape == [a.channels, model.engine.classCount] {
            return cached
        }
        let x = input.input
        let (c3, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let plane = h * w
        var parts: [Tensor] = []
        let ranges = Batching.ranges(count: a.channels, size: batch)
        for (done, r) in ranges.enumerated() {
            var data = [Float](repeating: 0, count: r.count * c3 * plane)
            for (j, k) in r.enumerated() {
                let channel = Array(a.data[(k * a.pixels)..<((k + 1) * a.pixels)])
                let mask = MapNormalization.minmax.apply(
                    MapResize.bilinear(channel, h: a.height, w: a.width, toH: h, toW: w))
                for c in 0..<c3 {
                    let off = (j * c3 + c) * plane, src = c * plane
                    for i in 0..<plane { data[off + i] = x.data[src + i] * mask[i] }
                }
            }
            parts.append(try model.engine.logits(Tensor(shape: [r.count, c3, h, w], data: data)))
            model.progress?(Double(done + 1) / Double(ranges.count))
        }
        let logits = Tensor.concatenate(parts)
        model.cache?.store(key, logits)
        return logits
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try PrecisionOption.run(precision, model) { try explainCAM(input, model: $0) }
    }
}
