import XAICore
import XAIEngine

/// SmoothGrad (Smilkov et al. 2017): the raw attributions of a gradient method (`base`:
/// saliency, integrated_gradients or guided_backprop, with its own parameters alongside)
/// averaged over `samples` copies of the input with Gaussian noise of standard deviation
/// `noise * (max(x) - min(x))` added in normalised input space, then reduced over channels
/// with the base method's `reduce`. `squared` averages the squared attributions
/// (SmoothGrad-Squared). Averaging happens per element before the reduction, as in the paper;
/// copies run in batches of `batch`. Noise sample i is drawn from its own stream of the seed.
public struct SmoothGrad: Explainer {
    public static let kind = MethodKind.smoothgrad
    let base: any GradientAttribution
    let noise: Double
    let samples: Int
    let squared: Bool
    let batch: Int

    public init(params: ResolvedParams) throws {
        let p = try ParamReader(Self.kind, params)
        let baseKind = try p.methodKind("base")
        noise = try p.double("noise")
        samples = try p.int("samples")
        squared = try p.bool("squared")
        batch = try p.int("batch")
        // The wrapped method gets the parameters it declares (smoothgrad's `batch` included).
        let names = baseKind.parameters.map(\.name)
        let baseParams = p.params.restricted(to: names)
        switch baseKind {
        case .saliency: base = try Saliency(params: baseParams)
        case .integratedGradients: base = try IntegratedGradients(params: baseParams)
        case .guidedBackprop: base = try GuidedBackprop(params: baseParams)
        default:
            throw p.invalid("base", "smoothgrad wraps \(MethodKind.smoothgradBases.map(\.rawValue).joined(separator: " | ")), not \(baseKind.rawValue)")
        }
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        let x = input.input
        let n = x.count
        let range = (x.data.max() ?? 0) - (x.data.min() ?? 0)
        let sigma = Float(noise) * (range > 0 ? range : 1)
        let chunk = base.batchesItems ? batch : 1
        var sum = [Double](repeating: 0, count: n)
        var gapSum = 0.0, gapCount = 0
        let ranges = Batching.ranges(count: samples, size: chunk)
        for (done, r) in ranges.enumerated() {
            var noisy = [Float](repeating: 0, count: r.count * n)
            for (j, s) in r.enumerated() {
                var rng = SeededRandom(seed: input.seed, stream: 0x5347_0000 + UInt64(s))
                let off = j * n
                for i in 0..<n { noisy[off + i] = x.data[i] + sigma * Float(rng.normal()) }
            }
            var shape = x.shape
            shape[0] = r.count
            let (a, scalars) = try base.attributions(of: Tensor(shape: shape, data: noisy), for: input, model: model)
            if let gap = scalars["completeness_gap"] {
                gapSum += gap
                gapCount += 1
            }
            for j in 0..<r.count {
                let off = j * n
                for i in 0..<n {
                    let v = Double(a.data[off + i])
                    sum[i] += squared ? v * v : v
                }
            }
            model.progress?(Double(done + 1) / Double(ranges.count))
        }
        let mean = Tensor(shape: x.shape, data: sum.map { Float($0 / Double(samples)) })
        let m = base.reduce.apply(mean)
        var scalars: [String: Double] = ["noise_std": Double(sigma)]
        if gapCount > 0 { scalars["mean_completeness_gap"] = gapSum / Double(gapCount) }
        return Explanation(map: m.reshaped([m.shape[1], m.shape[2]]), signed: base.reduce.isSigned && !squared,
                           scalars: scalars)
    }
}
