import XAICore
import XAIEngine
import XAIImaging

/// Gradient SHAP, or expected gradients (Lundberg & Lee 2017; Erion et al. 2021): integrated
/// gradients with the baseline and the path point both drawn at random, which estimates the
/// SHAP values of the model under a baseline distribution. Sample s draws a baseline b_s from
/// `baselines`, alpha_s ~ U(0, 1) and, when `stdevs` > 0, the noisy input x_s = x + N(0, stdevs)
/// (`BaselineDistribution`); the attribution is the mean over the `samples` draws of
/// grad f(b_s + alpha_s (x_s - b_s)) * (x_s - b_s), f being the target logit on normalised NCHW
/// input. Like Captum's `GradientShap` and SHAP's `GradientExplainer`, the difference uses the
/// noisy input, so on a linear model the result is exactly mean_s w * (x_s - b_s). `baselines:`
/// may name a folder or glob of background images (resized like the inputs), taken in turn
/// (`BaselineDistribution`); Captum draws one of them uniformly per sample, with the same
/// expectation (r 0.98 against Captum at 200 samples, as Captum against itself). Draws run in
/// batches of `batch`. Reported: the completeness gap |sum(attributions) - (f(x) - mean_s f(b_s))|,
/// which vanishes in expectation (exactly on a linear model without noise).
///
/// With `layer`, the method runs on the sub-network from that tensor L to the logits, as SHAP's
/// `GradientExplainer` does for a layer: points interpolate between L(b_s) and L(x_s), the
/// attribution [C, h, w] is the mean of grad * (L(x_s) - L(b_s)), and the map is its mean over
/// channels upsampled bilinearly to the input (`lowResolution` keeps [h, w]). Every path from the
/// input to the logits must pass through L.
public struct GradientSHAP: Explainer {
    public static let samples = Param<Int>("samples", default: 50, range: .ints(1, 100_000), "number of (baseline, alpha, noise) draws")
    static let stdevs = Param<Double>("stdevs", default: 0, range: .nonNegative,
                                      "standard deviation of the Gaussian noise added to the input, in normalised input units")
    static let batch = Batching.parameter(16)
    static let layer = Param<String>("layer", default: "",
                                     "attribute at this tensor (exact name or unique prefix) instead of the input; empty: the input")
    static let reduce = ChannelReduction.parameter(default: .signedSum, signed: true)
    public static let descriptor = MethodDescriptor(
        "gradient_shap", family: .gradient,
        summary: "expected gradients: gradients at random points between random baselines and the input",
        paper: "Lundberg, Lee. A Unified Approach to Interpreting Model Predictions. NeurIPS 2017; Erion, Janizek, Sturmfels, Lundberg, Lee. Improving performance of deep learning models with axiomatic attribution priors and expected gradients. Nature Machine Intelligence 2021",
        parameters: [BaselineDistribution.parameter, samples, stdevs, batch, layer, reduce],
        layerUse: .conditional(parameter: layer.name, when: { !(layer.value(in: $0) ?? "").isEmpty }),
        slow: true,
        // A layer's attributions are averaged over channels, keeping the sign; the input's are reduced.
        mapSign: .when { !(layer.value(in: $0) ?? "").isEmpty || ChannelReduction.keepsSign(reduce, $0) })
    let distribution: BaselineDistribution
    let samples: Int
    let stdevs: Float
    let batch: Int
    let layer: String
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        distribution = try BaselineDistribution(p)
        samples = try p[Self.samples]
        stdevs = Float(try p[Self.stdevs])
        batch = try p[Self.batch]
        layer = try p[Self.layer]
        reduce = try p[Self.reduce]
        if !layer.isEmpty && reduce != .signedSum {
            throw p.invalid(Self.reduce.name, "layer attributions are averaged over channels; `reduce` applies to input attributions only")
        }
    }

    /// Where the attributions live: the input, or a tensor every path to the logits crosses.
    private struct Space {
        /// The tensor's name and per-item shape.
        let name: String
        let shape: [Int]
        let isInput: Bool

        /// The tensor's value for a batch of inputs.
        func embed(_ x: Tensor, _ engine: Engine) throws -> Tensor {
            if isInput { return x }
            guard let v = try engine.forward(x, retain: .outputsAnd([name]))[name] else {
                throw EngineError.badInput(detail: "the forward pass kept no tensor '\(name)'")
            }
            return v
        }

        /// d(target logit) / d(tensor) at a batch of its values.
        func gradients(at points: Tensor, target: Int, _ engine: Engine) throws -> Tensor {
            if isInput { return try TargetScore.inputGradients(engine: engine, input: points, target: target) }
            let acts = try engine.forward(replacing: [name: points], retain: .all)
            let seed = TargetScore.seed(batch: points.batch, classes: engine.classCount, target: target)
            guard let g = try engine.gradients(acts, seeds: [engine.outputName: seed], wrt: [name])[name] else {
                throw EngineError.badInput(detail: "the engine returned no gradient for '\(name)'")
            }
            return g
        }
    }

    private func space(_ model: ModelContext) throws -> Space {
        let engine = model.engine
        guard !layer.isEmpty else { return Space(name: engine.graph.input, shape: engine.graph.inputShape, isInput: true) }
        let l = try TargetLayer.resolve(layer, parameter: Self.layer.name, model: model, method: Self.kind)
        return Space(name: l.name, shape: [l.channels, l.height, l.width], isInput: false)
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        let engine = model.engine
        let space = try space(model)
        let sampler = try BaselineDistribution.Sampler(distribution, input: input, model: model, stdevs: stdevs, method: Self.kind)
        let n = space.shape.reduce(1, *)
        var total = [Double](repeating: 0, count: n)
        var baselineScores: [Float] = []
        let ranges = Batching.ranges(count: samples, size: batch)
        for (done, r) in ranges.enumerated() {
            let d = sampler.draws(r)
            let from = try space.embed(d.baselines, engine)
            let to = try space.embed(d.inputs, engine)
            var diff = to
            var points = from
            for j in 0..<r.count {
                let a = d.alphas[j]
                for i in (j * n)..<((j + 1) * n) {
                    diff.data[i] = to.data[i] - from.data[i]
                    points.data[i] = from.data[i] + a * diff.data[i]
                }
            }
            let grads: Tensor
            do {
                grads = try space.gradients(at: points, target: input.target, engine)
            } catch let e as EngineError where !space.isInput {
                throw MethodError.unsuitableModel(
                    method: Self.kind.rawValue,
                    detail: "layer '\(space.name)' does not separate the input from the logits (\(e.description)); choose a tensor every path passes through, such as the target layer")
            }
            for j in 0..<r.count {
                for i in 0..<n { total[i] += Double(grads.data[j * n + i]) * Double(diff.data[j * n + i]) }
            }
            if !sampler.baselineIsFixed || baselineScores.isEmpty {
                let b = sampler.baselineIsFixed ? d.baselines.item(0) : d.baselines
                baselineScores += TargetScore.values(try engine.logits(b), target: input.target)
            }
            model.progress?(Double(done + 1) / Double(ranges.count))
        }
        let attributions = Tensor(shape: [1] + space.shape, data: total.map { Float($0 / Double(samples)) })
        let scalars = try Self.completeness(attributions, baselineScores: baselineScores, input: input, engine: engine)
        guard !space.isInput else {
            let m = reduce.apply(attributions)
            return Explanation(map: m.reshaped([m.shape[1], m.shape[2]]), scalars: scalars)
        }
        let (c, h, w) = (space.shape[0], space.shape[1], space.shape[2])
        var low = [Float](repeating: 0, count: h * w)
        for ch in 0..<c { for p in 0..<(h * w) { low[p] += attributions.data[ch * h * w + p] / Float(c) } }
        let (H, W) = (input.input.shape[2], input.input.shape[3])
        let up = MapResize.bilinear(low, h: h, w: w, toH: H, toW: W)
        return Explanation(map: Tensor(shape: [H, W], data: up),
                           lowResolution: Tensor(shape: [h, w], data: low), scalars: scalars)
    }

    /// Completeness of expected gradients: sum(attributions) against f(x) - mean_s f(b_s).
    static func completeness(_ a: Tensor, baselineScores: [Float], input: ExplanationInput, engine: Engine) throws
        -> [String: Double] {
        let sum = a.data.reduce(0.0) { $0 + Double($1) }
        let fx = Double(TargetScore.values(try engine.logits(input.input), target: input.target)[0])
        let fb = baselineScores.reduce(0.0) { $0 + Double($1) } / Double(max(1, baselineScores.count))
        return [
            "completeness_gap": abs(sum - (fx - fb)),
            "attribution_sum": sum,
            "score_difference": fx - fb,
            "input_score": fx,
            "baseline_score": fb,
        ]
    }
}
