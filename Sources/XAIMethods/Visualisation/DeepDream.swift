import Foundation
import XAICore
import XAIEngine
import XAIImaging

/// Deep Dream (Mordvintsev et al. 2015): gradient ascent on the image itself (pixel space) to
/// increase half the mean squared activation of `layer`, over `octaves` scales. The engine runs
/// the model at its fixed input size, so an octave restricts each update to a frequency band:
/// at octave o (coarsest first) the gradient is averaged down to the input size divided by
/// `octave_scale^(octaves - 1 - o)` and enlarged back bilinearly before the step
/// `lr * g / mean|g|` (`steps` steps per octave; pixels clipped to [0, 1]).
///
/// The dreamed image is `images["dream"]`; `map` [H, W] is the per-pixel Euclidean norm of the
/// change from the input image (where the dream altered it), not an attribution.
public struct DeepDream: Explainer {
    static let layerParameter = Param<String>(
        "layer", default: "", "layer whose activations are amplified; empty means the model's target layer")
    static let octaves = Param<Int>("octaves", default: 3, range: .ints(1, 10), "number of image scales")
    static let octaveScale = Param<Double>("octave_scale", default: 1.4, range: NumberRange(min: 1, max: 4, minInclusive: false),
                                           "size ratio between successive octaves")
    static let steps = Param<Int>("steps", default: 10, range: .ints(1, 10_000), "gradient ascent steps per octave")
    static let lr = Param<Double>("lr", default: 0.01, range: .positive, "step size (on the normalised gradient)")
    /// The dream amplifies a layer whatever the class, so it runs once per image.
    public static let descriptor = MethodDescriptor(
        "deepdream", family: .visualisation,
        summary: "amplifies what a layer responds to, over several image scales",
        paper: "Mordvintsev, Olah, Tyka. Inceptionism: Going Deeper into Neural Networks. Google Research Blog 2015",
        parameters: [layerParameter, octaves, octaveScale, steps, lr],
        layerUse: .targetLayer(parameter: layerParameter.name), usesTarget: false, producesAttributionMap: false)
    let layer: String
    let octaves: Int
    let octaveScale: Double
    let steps: Int
    let lr: Float

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        layer = try p[Self.layerParameter]
        octaves = try p[Self.octaves]
        octaveScale = try p[Self.octaveScale]
        steps = try p[Self.steps]
        lr = Float(try p[Self.lr])
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        let engine = model.engine
        let requested = layer.isEmpty ? (model.targetLayer ?? "") : layer
        guard !requested.isEmpty else {
            throw MethodError.invalidParameter(method: Self.kind.rawValue, parameter: "layer",
                                               detail: "no layer to amplify: set 'layer' or the model card's target_layer")
        }
        let name: String
        do { name = try engine.resolveTensor(requested) } catch let e as EngineError {
            throw MethodError.invalidParameter(method: Self.kind.rawValue, parameter: "layer", detail: e.description)
        }
        let objective = PixelObjective.meanSquare(layer: name)
        let (h, w) = (input.input.shape[2], input.input.shape[3])
        guard input.image.width == w, input.image.height == h else {
            throw MethodError.unsuitableModel(method: Self.kind.rawValue,
                                              detail: "the image is \(input.image.width)x\(input.image.height) but the model takes \(w)x\(h)")
        }
        var p = input.image.pixels
        var first = 0.0
        for o in 0..<octaves {
            let shrinkBy = pow(octaveScale, Double(octaves - 1 - o))
            let oh = max(1, Int((Double(h) / shrinkBy).rounded())), ow = max(1, Int((Double(w) / shrinkBy).rounded()))
            for s in 0..<steps {
                let (value, g) = try objective.evaluate(Tensor(shape: [1, 3, h, w], data: p), model: model)
                if o == 0 && s == 0 { first = value }
                let band = PlanarImage.enlarge(PlanarImage.shrink(g.data, planes: 3, height: h, width: w, toH: oh, toW: ow),
                                               planes: 3, height: oh, width: ow, toH: h, toW: w)
                let meanAbs = band.reduce(Float(0)) { $0 + abs($1) } / Float(band.count)
                guard meanAbs > 0 else { continue }
                let scale = lr / meanAbs
                for i in p.indices { p[i] = min(max(p[i] + scale * band[i], 0), 1) }
                model.progress?(Double(o * steps + s + 1) / Double(octaves * steps))
            }
        }
        let dream = RGBImage(width: w, height: h, pixels: p)
        let final = try objective.evaluate(dream.tensor, model: model).value
        let plane = h * w
        var change = [Float](repeating: 0, count: plane)
        for i in 0..<plane {
            var s: Float = 0
            for c in 0..<3 {
                let d = p[c * plane + i] - input.image.pixels[c * plane + i]
                s += d * d
            }
            change[i] = s.squareRoot()
        }
        return Explanation(map: Tensor(shape: [h, w], data: change),
                           scalars: ["initial_objective": first, "final_objective": final],
                           images: ["dream": dream])
    }
}
