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
    /// The gradient methods smoothgrad can wrap.
    static let bases: [any GradientAttribution.Type] = [Saliency.self, IntegratedGradients.self, GuidedBackprop.self]
    static let base = Param<MethodKind>("base", .methodKind(bases.map { $0.descriptor.kind.rawValue }), default: Saliency.kind,
                                        "the gradient method to smooth; its parameters may be given alongside")
    static let noise = Param<Double>("noise", default: 0.15, range: NumberRange(min: 0, max: 10, minInclusive: false),
                                     "standard deviation of the Gaussian noise as a fraction of the input range")
    static let samples = Param<Int>("samples", default: 25, range: .ints(1, 100_000), "number of noisy copies")
    static let squared = Param<Bool>("squared", default: false, "average the squared maps (SmoothGrad-Squared)")
    static let batch = Batching.parameter(16)
    public static let descriptor = MethodDescriptor(
        "smoothgrad", family: .gradient,
        summary: "a gradient method averaged over noisy copies of the input",
        paper: "Smilkov, Thorat, Kim, Viegas, Wattenberg. SmoothGrad: removing noise by adding noise. 2017",
        parameters: [base, noise, samples, squared, batch],
        wrapping: MethodDescriptor.Wrapping(parameter: base, bases: bases.map { $0.descriptor }),
        // Squares lose the sign; otherwise the wrapped method's reduction decides.
        mapSign: .when { p in
            guard squared.value(in: p) != true, let b = bases.first(where: { $0.descriptor.kind == base.value(in: p) })?.descriptor
            else { return false }
            // The base reads its parameters with its own defaults filled in, as `make` gives them.
            return b.mapIsSigned(ResolvedParams(specs: b.parameters, given: p.values))
        })
    let base: any GradientAttribution
    let noise: Double
    let samples: Int
    let squared: Bool
    let batch: Int

    public init(params: ResolvedParams) throws {
        let p = try ParameterReader(method: Self.descriptor, params)
        let baseKind = try p[Self.base]
        noise = try p[Self.noise]
        samples = try p[Self.samples]
        squared = try p[Self.squared]
        batch = try p[Self.batch]
        guard let type = Self.bases.first(where: { $0.descriptor.kind == baseKind }) else {
            let names = Self.bases.map { $0.descriptor.kind.rawValue }
            throw p.invalid(Self.base.name, "smoothgrad wraps \(names.joined(separator: " | ")), not \(baseKind.rawValue)")
        }
        // The wrapped method gets the parameters it declares (smoothgrad's `batch` included).
        base = try Self.make(type, p.params)
    }

    private static func make<T: GradientAttribution>(_ type: T.Type, _ params: ResolvedParams) throws -> any GradientAttribution {
        try T(params: params.restricted(to: T.descriptor.parameters.map(\.name)))
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
        return Explanation(map: m.reshaped([m.shape[1], m.shape[2]]), scalars: scalars)
    }
}
