import XAICore
import XAIEngine
import XAIImaging
import XAIMethods

/// The shared pipeline of the deletion and insertion metrics (Petsiuk et al., RISE): pixels are
/// taken in order of attribution (most important first, ties in seeded random order) and the
/// target probability is recorded after each of `steps` equal steps.
///
/// The curve has `steps + 1` points at fractions k / steps (k = 0...steps) of the pixels:
/// deletion starts from the image and replaces the first pixels by the fill; insertion starts
/// from the fill and puts the first pixels of the image back. The value is the area under the
/// curve by the trapezoid rule over fraction 0...1 (the curve's mean height, a probability).
/// `x` holds the fractions, `y` the probabilities; `extra["original_probability"]` the target
/// probability on the unmodified image (deletion's first point, insertion's last). `precision:
/// bf16` scores the pictures with bf16 convolutions (`PrecisionOption`; `extra["bf16"]` records
/// whether bf16 ran).
struct PixelCurve: Sendable {
    enum Direction: Sendable { case deletion, insertion }

    static let steps = Param<Int>("steps", default: 50, range: .ints(1, 10_000), "points on the curve")
    static let paper = "Petsiuk, Das, Saenko. RISE: Randomized Input Sampling for Explanation of Black-box Models. BMVC 2018"

    let direction: Direction
    let steps: Int
    let fill: Fill
    let batch: Int
    let precision: Precision

    /// The parameters deletion and insertion share after their `value`.
    static let parameters: [any ParameterDeclaration] = [MetricBatch.parameter, PrecisionOption.parameter]

    init(direction: Direction, metric d: MetricDescriptor, fill: Param<ParamValue>, _ params: ResolvedParams) throws {
        let r = try ParameterReader(metric: d, params)
        self.direction = direction
        steps = try r[Self.steps]
        self.fill = try r.fill(fill)
        batch = try r[MetricBatch.parameter]
        precision = try r[PrecisionOption.parameter]
    }

    func evaluate(_ input: MetricInput, model: ModelContext, metric: MetricKind) throws -> MetricResult {
        let map = try AttributionMap(input, metric: metric)
        let image = input.image
        let fillImage = fill.image(for: input, model: model)
        let order = map.descendingOrder(seed: input.seed)
        var rank = [Int32](repeating: 0, count: map.count)
        for (r, i) in order.enumerated() { rank[i] = Int32(r) }
        let x = (0...steps).map { Double($0) / Double(steps) }
        let counts = x.map { map.pixelCount($0) }
        let n = image.planeCount
        let deleting = direction == .deletion
        let score = TargetProbabilities(model: model, batch: batch, metric: metric, precision: precision)
        // The ends of the curve are the image and a picture all fill, the same for every map;
        // between them a picture is named by its fill pixels, which other maps may choose too.
        var pictures: [Int: SharedLogits.Picture] = deleting ? [0: .original, steps: .fill(fill)] : [0: .fill(fill), steps: .original]
        if input.imageKey != nil, SharedLogits.affordable(pictures: steps, flags: n) {
            for k in 1..<steps {
                let c = Int32(counts[k])
                pictures[k] = .filled(fill, where: rank.lazy.map { ($0 < c) == deleting })
            }
        }
        let y = try score(count: counts.count, width: image.width, height: image.height, target: input.target,
                          shared: SharedLogits.keys(pictures, image: input.imageKey)) { k, dst in
            let c = Int32(counts[k])
            image.pixels.withUnsafeBufferPointer { src in
                fillImage.pixels.withUnsafeBufferPointer { f in
                    for i in 0..<n {
                        // The first `c` pixels in attribution order are removed (deletion) or inserted.
                        let fromImage = (rank[i] < c) != deleting
                        for ch in 0..<3 { dst[ch * n + i] = fromImage ? src[ch * n + i] : f[ch * n + i] }
                    }
                }
            }
        }
        return MetricResult(value: CurveArea.trapezoid(x: x, y: y), x: x, y: y,
                            extra: score.recordingPrecision(["original_probability": deleting ? y[0] : y[steps]]))
    }
}

/// Deletion (Petsiuk et al.): area under the target probability as the most important pixels
/// are replaced by `value` (gray, black or blur); lower is better. See `PixelCurve`.
public struct Deletion: Metric {
    static let value = Param<ParamValue>("value", .choice(["gray", "black", "blur"]), default: .string("gray"),
                                         "what removed pixels become")
    public static let descriptor = MetricDescriptor(
        "deletion", summary: "area under the target score as the most important pixels are removed",
        paper: PixelCurve.paper, parameters: [PixelCurve.steps, value] + PixelCurve.parameters,
        curve: MetricDescriptor.Curve(x: "fraction of pixels removed", y: "target probability"), direction: .lowerIsBetter)
    let curve: PixelCurve

    public init(params: ResolvedParams) throws {
        curve = try PixelCurve(direction: .deletion, metric: Self.descriptor, fill: Self.value, params)
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        try curve.evaluate(input, model: model, metric: Self.kind)
    }
}

/// Insertion (Petsiuk et al.): area under the target probability as the most important pixels
/// are put back into the `value` picture (blur, gray or black); higher is better. See `PixelCurve`.
public struct Insertion: Metric {
    static let value = Param<ParamValue>("value", .choice(["blur", "gray", "black"]), default: .string("blur"),
                                         "the image pixels are inserted into")
    public static let descriptor = MetricDescriptor(
        "insertion", summary: "area under the target score as the most important pixels are inserted into a blurred image",
        paper: PixelCurve.paper, parameters: [PixelCurve.steps, value] + PixelCurve.parameters,
        curve: MetricDescriptor.Curve(x: "fraction of pixels inserted", y: "target probability"), direction: .higherIsBetter)
    let curve: PixelCurve

    public init(params: ResolvedParams) throws {
        curve = try PixelCurve(direction: .insertion, metric: Self.descriptor, fill: Self.value, params)
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        try curve.evaluate(input, model: model, metric: Self.kind)
    }
}
