import XAICore
import XAIImaging
import XAIMethods

/// The shared computation of Average Drop and Increase in Confidence (Chattopadhyay et al.,
/// Grad-CAM++): the target probability Y on the image and O on a masked image.
///
/// Masks (`mode`):
/// - `multiply`: every pixel blended towards the fill by the min-max normalised map m in
///   [0, 1]: `masked = fill + m * (image - fill)`; with `value: black` this is the paper's
///   image x map.
/// - `keep`: the top `fraction` of pixels (by the map) kept, the rest set to the fill
///   ("background occluded").
/// - `remove`: the top `fraction` of pixels set to the fill ("subject occluded").
///
/// Both occlusion variants (top `fraction` kept / removed) are computed whatever the mode and
/// reported in `extra`
/// (`background_occluded`, `subject_occluded`, plus the probabilities `y`, `o`,
/// `o_background_occluded`, `o_subject_occluded`).
struct ConfidenceChange: Sendable {
    enum Mode: String, ParamChoice { case multiply, keep, remove }

    static let mode = Param<Mode>(
        "mode", default: .multiply,
        "multiply the image by the normalised map, or keep / remove the top `fraction` of pixels")
    static let fraction = Param<Double>("fraction", default: 0.5, range: .openUnit,
                                        "share of pixels kept or removed (keep / remove modes)")
    static let value = Param<ParamValue>(
        "value", .choiceOrNumber(Fill.names, .unit), default: .string("gray"),
        "fill of the removed pixels (keep / remove modes): named fill or pixel value in [0, 1]")
    static let parameters: [any ParameterDeclaration] = [mode, fraction, value]
    static let paper = "Chattopadhyay, Sarkar, Howlader, Balasubramanian. Grad-CAM++. WACV 2018"

    /// With the subject occluded (`mode: remove`) a good map makes the confidence fall: a larger
    /// drop and fewer increases are better, the opposite of the other modes.
    static func direction(_ otherwise: MetricDirection) -> @Sendable (ResolvedParams) -> MetricDirection {
        { mode.value(in: $0) == .remove ? otherwise.reversed : otherwise }
    }

    let mode: Mode
    let fraction: Double
    let fill: Fill

    init(_ reader: ParameterReader) throws {
        mode = try reader[Self.mode]
        fraction = try reader[Self.fraction]
        fill = try reader.fill(Self.value)
    }

    /// Probabilities of the target: original, masked (mode), background occluded, subject occluded.
    func probabilities(_ input: MetricInput, model: ModelContext, metric: MetricKind) throws
        -> (y: Double, o: Double, keep: Double, remove: Double) {
        let map = try AttributionMap(input, metric: metric)
        let image = input.image
        let count = mode == .multiply ? 4 : 3
        try TargetProbabilities.check(target: input.target, model: model, metric: metric)
        // Keep and remove score the same three pictures: drop and increase in both modes share them.
        let key = input.mapKey.map { "confidence/\($0)/fraction=\(fraction)/fill=\(fill)/seed=\(input.seed)/pictures=\(count)" }
        let logits = try SharedLogits.logits(key: key, count: count, model: model) {
            let fillImage = fill.image(for: input, model: model)
            let order = map.descendingOrder(seed: input.seed)
            let k = map.pixelCount(fraction)
            var top = [Bool](repeating: false, count: map.count)
            for i in order.prefix(k) { top[i] = true }
            let n3 = 3 * image.planeCount
            let kept = Compose.pixels(count: n3) { Compose.select(image: image, fill: fillImage, useFill: top.map { !$0 }, into: $0) }
            let removed = Compose.pixels(count: n3) { Compose.select(image: image, fill: fillImage, useFill: top, into: $0) }
            var pictures = [image.pixels, kept, removed]
            if mode == .multiply {
                let weight = map.minMaxNormalized
                pictures.append(Compose.pixels(count: n3) { Compose.blend(image: image, fill: fillImage, weight: weight, into: $0) })
            }
            // Named by their fill pixels, as deletion's pictures are (its middle step is this
            // `removed` picture for gray fill and fraction 0.5).
            let shared: [Int: SharedLogits.Picture] = [0: .original, 1: .filled(fill, where: top.lazy.map { !$0 }),
                                                       2: .filled(fill, where: top)]
            let score = TargetProbabilities(model: model, batch: count, metric: metric)
            return try score.logits(pictures, width: image.width, height: image.height,
                                    shared: SharedLogits.keys(shared, image: input.imageKey))
        }
        let p = TargetProbabilities.probabilities(logits, target: input.target)
        let o: Double
        switch mode {
        case .multiply: o = p[3]
        case .keep: o = p[1]
        case .remove: o = p[2]
        }
        return (p[0], o, p[1], p[2])
    }

    /// max(0, Y - O) / Y x 100 (0 when Y is 0).
    static func drop(y: Double, o: Double) -> Double {
        y > 0 ? max(0, y - o) / y * 100 : 0
    }

    /// 100 when O > Y, else 0 (its mean over images is the % of images with an increase).
    static func increase(y: Double, o: Double) -> Double {
        o > y ? 100 : 0
    }

    func result(_ p: (y: Double, o: Double, keep: Double, remove: Double), _ score: (Double, Double) -> Double) -> MetricResult {
        MetricResult(value: score(p.y, p.o), extra: [
            "background_occluded": score(p.y, p.keep),
            "subject_occluded": score(p.y, p.remove),
            "y": p.y, "o": p.o,
            "o_background_occluded": p.keep, "o_subject_occluded": p.remove,
        ])
    }
}

/// Average Drop for one image: max(0, Y - O) / Y x 100 (the paper's relative form); the report's
/// mean over images is the paper's Average Drop %. See `ConfidenceChange` for the masks.
public struct ConfidenceDrop: Metric {
    public static let descriptor = MetricDescriptor(
        "confidence_drop",
        summary: "Average Drop: mean of max(0, Y - O) / Y x 100 over images (Y original, O masked target probability)",
        paper: ConfidenceChange.paper, parameters: ConfidenceChange.parameters,
        direction: ConfidenceChange.direction(.lowerIsBetter))
    let change: ConfidenceChange

    public init(params: ResolvedParams) throws {
        change = try ConfidenceChange(ParameterReader(metric: Self.descriptor, params))
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        change.result(try change.probabilities(input, model: model, metric: Self.kind), ConfidenceChange.drop)
    }
}

/// Increase in Confidence for one image: 100 when the masked image's target probability O
/// exceeds the original's Y, else 0; the mean over images is the % of images with an increase.
public struct ConfidenceIncrease: Metric {
    public static let descriptor = MetricDescriptor(
        "confidence_increase",
        summary: "Increase in Confidence: % of images whose target probability rises on the masked image",
        paper: ConfidenceChange.paper, parameters: ConfidenceChange.parameters,
        direction: ConfidenceChange.direction(.higherIsBetter))
    let change: ConfidenceChange

    public init(params: ResolvedParams) throws {
        change = try ConfidenceChange(ParameterReader(metric: Self.descriptor, params))
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        change.result(try change.probabilities(input, model: model, metric: Self.kind), ConfidenceChange.increase)
    }
}
