import Foundation
import XAICore
import XAIEngine
import XAIImaging

/// Activation maximisation (Erhan et al. 2009; regularised as in Olah et al. 2017): gradient
/// ascent on a pixel-space image (0...1) from seeded near-gray noise, maximising a class logit
/// (`target: class`) or the mean of one channel of `layer` (`target: channel`), minus
/// `l2 * sum (p - 0.5)^2` and `tv * sum of squared neighbour differences`. Each of `steps`
/// Adam steps (step size `lr`) evaluates the gradient on the image shifted circularly by a
/// random offset of up to `jitter` pixels; every `blur_every` steps the image is blurred with
/// `blur_sigma`. Pixels are clipped to [0, 1] after each step.
///
/// The synthesised picture is `images["synthesis"]`. It is not an attribution over the input
/// image, so `map` is honestly just the synthesis's luminance [H, W] (metrics skip this method:
/// its descriptor's `producesAttributionMap` is false).
public struct ActivationMaximization: Explainer {
    enum Goal: String, ParamChoice {
        case targetClass = "class"
        case channel
    }
    static let target = Param<Goal>("target", default: .targetClass,
                                    "maximise a class logit or the mean of one channel of `layer`")
    static let classParameter = Param<ParamValue>("class", .intOrString(.ints(0)), default: .string("target"),
                                                  "class index or label; `target` uses the experiment's target")
    static let layerParameter = Param<String>("layer", default: "",
                                              "layer for target: channel; empty means the model's target layer")
    static let channelParameter = Param<Int>("channel", default: 0, range: .ints(0), "channel of `layer` for target: channel")
    static let steps = Param<Int>("steps", default: 256, range: .ints(1, 100_000), "gradient ascent steps")
    static let lr = Param<Double>("lr", default: 0.05, range: .positive, "step size")
    static let l2 = Param<Double>("l2", default: 0.0001, range: .nonNegative, "weight of the L2 penalty on the image")
    static let tv = Param<Double>("tv", default: 0.0005, range: .nonNegative, "weight of the total-variation penalty")
    static let jitter = Param<Int>("jitter", default: 8, range: .ints(0, 64), "largest random shift in pixels per step")
    static let blurEvery = Param<Int>("blur_every", default: 4, range: .ints(0, 100_000), "blur the image every k steps (0: never)")
    static let blurSigma = Param<Double>("blur_sigma", default: 0.5, range: .nonNegative, "standard deviation of that blur in pixels")
    public static let descriptor = MethodDescriptor(
        "activation_maximization", family: .visualisation,
        summary: "synthesises an input that maximises a class logit or a channel",
        paper: "Erhan, Bengio, Courville, Vincent. Visualizing Higher-Layer Features of a Deep Network. 2009; Olah, Mordvintsev, Schubert. Feature Visualization. Distill 2017",
        parameters: [target, classParameter, layerParameter, channelParameter, steps, lr, l2, tv, jitter, blurEvery, blurSigma],
        layerUse: .conditional(parameter: layerParameter.name, when: { target.value(in: $0) == .channel }),
        producesAttributionMap: false, classParameter: classParameter.name)
    let goal: Goal
    let classValue: ParamValue
    let layer: String
    let channel: Int
    let steps: Int
    let lr: Float
    let l2: Float
    let tv: Float
    let jitter: Int
    let blurEvery: Int
    let blurSigma: Float

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        goal = try p[Self.target]
        classValue = try p[Self.classParameter]
        layer = try p[Self.layerParameter]
        channel = try p[Self.channelParameter]
        steps = try p[Self.steps]
        lr = Float(try p[Self.lr])
        l2 = Float(try p[Self.l2])
        tv = Float(try p[Self.tv])
        jitter = try p[Self.jitter]
        blurEvery = try p[Self.blurEvery]
        blurSigma = Float(try p[Self.blurSigma])
    }

    /// The class to maximise: an index, `target` (the experiment's), or a label.
    func resolveClass(_ input: ExplanationInput, model: ModelContext) throws -> Int {
        let classes = model.engine.classCount
        func invalid(_ d: String) -> MethodError { .invalidParameter(method: Self.kind.rawValue, parameter: Self.classParameter.name, detail: d) }
        if let i = classValue.intValue {
            guard i >= 0, i < classes else { throw invalid("class \(i) is out of range; the model has \(classes) classes") }
            return i
        }
        let name = classValue.stringValue ?? ""
        if name == "target" {
            try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
            return input.target
        }
        if let i = model.labels.firstIndex(where: { $0.lowercased() == name.lowercased() }), i < classes { return i }
        let near = EditDistance.suggestion(for: name, among: model.labels)
        throw invalid("no class is labelled '\(name)'" + (near.map { "; did you mean '\($0)'?" } ?? ""))
    }

    func objective(_ input: ExplanationInput, model: ModelContext) throws -> PixelObjective {
        switch goal {
        case .targetClass:
            return .logit(try resolveClass(input, model: model))
        case .channel:
            let engine = model.engine
            let requested = layer.isEmpty ? (model.targetLayer ?? "") : layer
            guard !requested.isEmpty else {
                throw MethodError.invalidParameter(method: Self.kind.rawValue, parameter: "layer",
                                                   detail: "target: channel needs a layer; set 'layer' or the model card's target_layer")
            }
            let name: String
            do { name = try engine.resolveTensor(requested) } catch let e as EngineError {
                throw MethodError.invalidParameter(method: Self.kind.rawValue, parameter: "layer", detail: e.description)
            }
            let channels = engine.shape(of: name)?.first ?? 0
            guard channel < channels else {
                throw MethodError.invalidParameter(method: Self.kind.rawValue, parameter: "channel",
                                                   detail: "channel \(channel) is out of range; '\(name)' has \(channels) channels")
            }
            return .channelMean(layer: name, channel: channel)
        }
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        let goalFunction = try objective(input, model: model)
        let (h, w) = (input.input.shape[2], input.input.shape[3])
        let n = 3 * h * w
        var rng = SeededRandom(seed: input.seed, stream: 0xA11)
        var p = rng.normals(n, mean: 0.5, std: 0.05).map { min(max($0, 0), 1) }
        var m = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
        let (beta1, beta2): (Float, Float) = (0.9, 0.999)
        var first = 0.0, last = 0.0
        for t in 0..<steps {
            let dy = jitter > 0 ? rng.int(below: 2 * jitter + 1) - jitter : 0
            let dx = jitter > 0 ? rng.int(below: 2 * jitter + 1) - jitter : 0
            let shifted = PlanarImage.roll(p, planes: 3, height: h, width: w, dy: dy, dx: dx)
            let (value, g) = try goalFunction.evaluate(Tensor(shape: [1, 3, h, w], data: shifted), model: model)
            if t == 0 { first = value }
            last = value
            var grad = PlanarImage.roll(g.data, planes: 3, height: h, width: w, dy: -dy, dx: -dx)
            addPenaltyGradients(&grad, p, h, w)
            // Adam ascent step.
            let c1 = 1 - pow(beta1, Float(t + 1)), c2 = 1 - pow(beta2, Float(t + 1))
            for i in 0..<n {
                m[i] = beta1 * m[i] + (1 - beta1) * grad[i]
                v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i]
                let step = lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
                p[i] = min(max(p[i] + step, 0), 1)
            }
            if blurEvery > 0, (t + 1) % blurEvery == 0, blurSigma > 0 {
                p = GaussianBlur.apply(RGBImage(width: w, height: h, pixels: p), sigma: blurSigma).pixels
            }
            model.progress?(Double(t + 1) / Double(steps))
        }
        let image = RGBImage(width: w, height: h, pixels: p)
        let final = try goalFunction.evaluate(image.tensor, model: model).value
        return Explanation(map: PlanarImage.luminance(image),
                           scalars: ["initial_objective": first, "last_step_objective": last, "final_objective": final],
                           images: ["synthesis": image])
    }

    /// Adds the gradients of -l2 * sum (p - 0.5)^2 and -tv * sum ((p[y][x+1] - p[y][x])^2 + (p[y+1][x] - p[y][x])^2).
    func addPenaltyGradients(_ grad: inout [Float], _ p: [Float], _ h: Int, _ w: Int) {
        for i in grad.indices { grad[i] -= 2 * l2 * (p[i] - 0.5) }
        guard tv > 0 else { return }
        for c in 0..<3 {
            let base = c * h * w
            for y in 0..<h {
                for x in 0..<w {
                    let i = base + y * w + x
                    if x + 1 < w {
                        let d = p[i + 1] - p[i]
                        grad[i] += 2 * tv * d
                        grad[i + 1] -= 2 * tv * d
                    }
                    if y + 1 < h {
                        let d = p[i + w] - p[i]
                        grad[i] += 2 * tv * d
                        grad[i + w] -= 2 * tv * d
                    }
                }
            }
        }
    }
}
