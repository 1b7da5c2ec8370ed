import XAICore
import XAIImaging
import XAIMethods

/// Max-sensitivity (Yeh et al., 2019) for one explanation: the method is run again with the same
/// parameters and seed on `samples` copies of the image with independent uniform noise in
/// [-radius, radius] added to every pixel value (pixel space 0...1, so `radius` is a fraction of
/// the input range; not clipped), and the value is the largest relative change
/// |map' - map|_F / |map|_F. A zero original map gives 0 when every noisy map is zero too, and
/// an error otherwise (the ratio is unbounded). `extra["mean_sensitivity"]` is the mean ratio.
public struct MaxSensitivity: Metric {
    static let samples = Param<Int>("samples", default: 10, range: .ints(1, 10_000), "noisy inputs tried")
    static let radius = Param<Double>("radius", default: 0.02, range: .positive, "noise bound as a fraction of the input range")
    public static let descriptor = MetricDescriptor(
        "max_sensitivity", summary: "largest relative change of the map under small input noise",
        paper: "Yeh, Hsieh, Suggala, Inouye, Ravikumar. On the (In)fidelity and Sensitivity of Explanations. NeurIPS 2019",
        parameters: [samples, radius], direction: .lowerIsBetter)
    let samples: Int
    let radius: Double

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(metric: Self.descriptor, params)
        samples = try r[Self.samples]
        radius = try r[Self.radius]
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let original = try AttributionMap(input, metric: Self.kind)
        let rerun = try MethodRerun(input, metric: Self.kind)
        let norm = original.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var ratios: [Double] = []
        for s in 0..<samples {
            var rng = SeededRandom(seed: input.seed, stream: 0x5E45_0000 &+ UInt64(s))
            var noisy = input.image
            let r = Float(radius)
            for i in noisy.pixels.indices { noisy.pixels[i] += r * (2 * rng.nextFloat() - 1) }
            let m = try rerun.map(image: noisy, input: input, engine: model.engine, model: model, key: "noisy-\(s)")
            var diff = 0.0
            for i in 0..<m.count {
                let d = Double(m.values[i]) - Double(original.values[i])
                diff += d * d
            }
            diff = diff.squareRoot()
            if norm > 0 {
                ratios.append(diff / norm)
            } else if diff > 0 {
                throw MetricError.numeric(metric: Self.kind.rawValue,
                                          detail: "the original map of image '\(input.imageID)' is all zero, so a relative change is undefined (a noisy input gives a non-zero map)")
            } else {
                ratios.append(0)
            }
        }
        return MetricResult(value: ratios.max() ?? 0, extra: ["mean_sensitivity": CurveArea.mean(ratios)])
    }
}
