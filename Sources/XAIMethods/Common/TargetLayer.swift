import XAICore
import XAIEngine

/// A resolved convolutional feature map of the model: its tensor name and per-item shape [C, h, w].
struct TargetLayer: Sendable {
    let name: String
    let channels: Int
    let height: Int
    let width: Int

    var pixels: Int { height * width }

    /// The `target_layer` parameter of the CAM methods and DFF.
    static let parameter = Param<String>(
        "target_layer", default: "", "tensor name or unique prefix; empty means the experiment's or the model card's target layer")

    /// The layer named by `parameter` (an exact tensor name or unique prefix) or, when that is
    /// empty, the experiment's / model card's target layer. It must be a [C, h, w] feature map.
    static func resolve(_ requested: String, parameter: String = "target_layer", model: ModelContext,
                        method: MethodKind) throws -> TargetLayer {
        let engine = model.engine
        let wanted: String
        if !requested.isEmpty {
            wanted = requested
        } else if let t = model.targetLayer, !t.isEmpty {
            wanted = t
        } else {
            throw MethodError.invalidParameter(
                method: method.rawValue, parameter: parameter,
                detail: "no target layer: set '\(parameter)' or the model card's target_layer"
                    + (lastFeatureMap(engine).map { " (the last convolutional feature map is '\($0)')" } ?? ""))
        }
        let name: String
        do {
            name = try engine.resolveTensor(wanted)
        } catch let e as EngineError {
            throw MethodError.invalidParameter(method: method.rawValue, parameter: parameter, detail: e.description)
        }
        guard let shape = engine.shape(of: name), shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw MethodError.unsuitableModel(
                method: method.rawValue,
                detail: "target layer '\(name)' has per-item shape \(engine.shape(of: name) ?? []), but \(method.rawValue) needs a convolutional feature map [C, h, w]"
                    + (lastFeatureMap(engine).map { "; try '\($0)'" } ?? ""))
        }
        return TargetLayer(name: name, channels: shape[0], height: shape[1], width: shape[2])
    }

    /// The last tensor shaped [C, h, w] with h * w > 1, a sensible suggestion for CAM methods.
    static func lastFeatureMap(_ engine: Engine) -> String? {
        engine.tensors.last { $0.shape.count == 3 && $0.shape[1] * $0.shape[2] > 1 && $0.name != engine.graph.input }?.name
    }
}

/// One item's feature map (or its gradient), channel-major: `data[c * pixels + p]`.
struct FeatureMap {
    var data: [Float]
    let channels: Int
    let height: Int
    let width: Int

    var pixels: Int { height * width }

    /// Item `index` of a batch tensor [N, C, h, w].
    init(_ t: Tensor, item index: Int = 0) {
        precondition(t.rank == 4, "FeatureMap expects [N, C, h, w], got \(t.shape)")
        channels = t.shape[1]
        height = t.shape[2]
        width = t.shape[3]
        let n = channels * height * width
        data = Array(t.data[(index * n)..<((index + 1) * n)])
    }

    /// Mean over space of each channel: [C].
    func spatialMeans() -> [Float] {
        let p = pixels
        return (0..<channels).map { c in
            var s: Float = 0
            for i in 0..<p { s += data[c * p + i] }
            return s / Float(p)
        }
    }

    /// sum_c weights[c] * self[c]: [h * w] (an OpenBLAS matrix-vector product).
    func weightedSum(_ weights: [Float]) -> [Float] {
        precondition(weights.count == channels)
        return Matrix.product(weights, data, m: 1, n: pixels, k: channels)
    }

    /// sum_c self[c] * other[c] element by element: [h * w].
    func productSum(_ other: FeatureMap) -> [Float] {
        let p = pixels
        var out = [Float](repeating: 0, count: p)
        for c in 0..<channels {
            let base = c * p
            for i in 0..<p { out[i] += data[base + i] * other.data[base + i] }
        }
        return out
    }
}
