import XAICore
import XAIEngine
import XAIImaging

/// Integrated gradients (Sundararajan et al. 2017): (x - x') * integral over a in [0, 1] of
/// d f(x' + a (x - x')) / dx, with f the target logit, x the normalised input and x' the
/// normalised baseline. The integral uses `rule` with `steps` points whose weights sum to 1
/// (so a linear model gets exactly (x - x') * w); the path points run through the network in
/// batches of `batch`. The completeness gap |sum(attributions) - (f(x) - f(x'))| is reported.
/// On ReLU6 networks f is piecewise linear along the path, so the integrand is piecewise
/// constant with jumps and the gap is quadrature error that falls slowly with `steps`: on the
/// chelsea photo with EfficientNet-Lite0 and a black baseline it is 6.1 at 16 Gauss-Legendre
/// points, 1.8 at 128 trapezoid points and 0.007 at 512 (f(x) - f(x') = 9.95).
public struct IntegratedGradients: GradientAttribution {
    static let baseline = Baseline.parameter(
        "baseline", default: .black, "reference input: a named image or one pixel value in [0, 1] for every channel (before normalisation)")
    public static let steps = Param<Int>("steps", default: 50, range: .ints(1, 100_000), "number of points on the path")
    static let rule = Param<QuadratureRule>("rule", default: .gaussLegendre,
                                            "quadrature rule; weights sum to 1 for every rule")
    static let batch = Batching.parameter(16)
    static let reduce = ChannelReduction.parameter(default: .signedSum, signed: true)
    public static let descriptor = MethodDescriptor(
        "integrated_gradients", family: .gradient,
        summary: "gradients integrated along a straight path from a baseline to the input",
        paper: "Sundararajan, Taly, Yan. Axiomatic Attribution for Deep Networks. ICML 2017",
        parameters: [baseline, steps, rule, batch, reduce], slow: true, mapSign: ChannelReduction.mapSign(reduce))
    let baseline: Baseline
    let steps: Int
    let rule: QuadratureRule
    let batch: Int
    let reduce: ChannelReduction

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        baseline = try Baseline.read(p, Self.baseline)
        steps = try p[Self.steps]
        rule = try p[Self.rule]
        guard steps >= rule.minimumPoints else {
            throw p.invalid(Self.steps.name, "\(rule.rawValue) needs at least \(rule.minimumPoints) steps, got \(steps)")
        }
        batch = try p[Self.batch]
        reduce = try p[Self.reduce]
    }

    var batchesItems: Bool { false }

    func attributions(of batchInput: Tensor, for input: ExplanationInput, model: ModelContext) throws
        -> (attributions: Tensor, scalars: [String: Double]) {
        let base = try baseline.tensor(for: input, model: model, method: Self.kind)
        var parts: [Tensor] = []
        var scalars: [String: Double] = [:]
        for i in 0..<batchInput.batch {
            let (a, s) = try integrate(batchInput.batch == 1 ? batchInput : batchInput.item(i), baseline: base,
                                       target: input.target, model: model)
            parts.append(a)
            if batchInput.batch == 1 { scalars = s }
        }
        return (parts.count == 1 ? parts[0] : Tensor.concatenate(parts), scalars)
    }

    /// IG of one input [1, C, H, W] against `base` [1, C, H, W].
    func integrate(_ x: Tensor, baseline base: Tensor, target: Int, model: ModelContext) throws
        -> (Tensor, [String: Double]) {
        let engine = model.engine
        let n = x.count
        var diff = [Float](repeating: 0, count: n)
        for i in 0..<n { diff[i] = x.data[i] - base.data[i] }
        let (alphas, weights) = rule.points(steps)
        var total = [Double](repeating: 0, count: n)
        let ranges = Batching.ranges(count: steps, size: batch)
        for (done, r) in ranges.enumerated() {
            // Path points base + alpha * diff for this batch.
            var pathData = [Float](repeating: 0, count: r.count * n)
            for (j, k) in r.enumerated() {
                let a = Float(alphas[k])
                let off = j * n
                for i in 0..<n { pathData[off + i] = base.data[i] + a * diff[i] }
            }
            var shape = x.shape
            shape[0] = r.count
            let path = Tensor(shape: shape, data: pathData)
            let grads = try TargetScore.inputGradients(engine: engine, input: path, target: target)
            guard grads.count == r.count * n else {
                throw MethodError.numeric(method: Self.kind.rawValue, detail: "the engine returned no input gradient of \(r.count * n) values")
            }
            grads.data.withUnsafeBufferPointer { gp in
                for (j, k) in r.enumerated() {
                    let w = weights[k]
                    let off = j * n
                    for i in 0..<n { total[i] += w * Double(gp[off + i]) }
                }
            }
            model.progress?(Double(done + 1) / Double(ranges.count))
        }
        var attr = [Float](repeating: 0, count: n)
        var sum = 0.0
        for i in 0..<n {
            let v = Double(diff[i]) * total[i]
            attr[i] = Float(v)
            sum += v
        }
        // Completeness: the attributions should add up to f(x) - f(x').
        let ends = TargetScore.values(try engine.logits(Tensor.concatenate([x, base])), target: target)
        let delta = Double(ends[0]) - Double(ends[1])
        let scalars: [String: Double] = [
            "completeness_gap": abs(sum - delta),
            "attribution_sum": sum,
            "score_difference": delta,
            "input_score": Double(ends[0]),
            "baseline_score": Double(ends[1]),
        ]
        return (Tensor(shape: x.shape, data: attr), scalars)
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try explainByAttribution(input, model: model)
    }
}
