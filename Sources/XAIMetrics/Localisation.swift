import XAICore
import XAIImaging
import XAIMethods

/// Localisation against ground truth: the union of the image's boxes and mask (a pixel is inside
/// a box `[x0, y0, x1, y1]` when its centre (x + 0.5, y + 0.5) lies in it).
///
/// A map that is positive everywhere is first shifted to a minimum of 0 (see `withoutOffset`).
///
/// - value: IoU of the binarised map with the ground truth. `rule: max_fraction` keeps the pixels
///   with map >= `threshold` x max of the map (Grad-CAM's 15%; none when the max is <= 0),
///   `rule: top_fraction` the `threshold` share of pixels with the highest values (at least one;
///   ties in seeded random order).
/// - `extra["energy_pointing_game"]`: share of the positive attribution mass inside the ground
///   truth (Score-CAM's energy-based pointing game; 0 when the map has no positive mass).
/// - `extra["pointing_game"]`: 1 when the map's maximum lies inside the ground truth, else 0
///   (Zhang et al.'s hit / miss, without their 15-pixel tolerance). When several pixels share the
///   maximum, one of them is drawn in seeded random order (the order `top_fraction` uses), so a
///   flat-topped map scores its plateau's share inside the ground truth on average rather than
///   whatever its top-left pixel hits.
/// - `extra["ground_truth_fraction"]` / `extra["selected_fraction"]`: the shares of the image
///   covered by the ground truth and by the binarised map.
public struct Localisation: Metric {
    enum Rule: String, ParamChoice { case maxFraction = "max_fraction", topFraction = "top_fraction" }
    static let threshold = Param<Double>("threshold", default: 0.15, range: .openUnit, "binarisation level (see `rule`)")
    static let rule = Param<Rule>("rule", default: .maxFraction,
                                  "pixels above threshold x max of the map, or the top threshold share of pixels")
    static let pointingGame = "pointing_game"
    static let energyPointingGame = "energy_pointing_game"
    /// 2: tied maxima drawn at random; 3: offset of positive maps removed.
    public static let descriptor = MetricDescriptor(
        "localisation", summary: "IoU, energy-based and hit/miss pointing game against annotated boxes or masks",
        paper: "Selvaraju et al. Grad-CAM. ICCV 2017; Zhang et al. Top-down Neural Attention by Excitation Backprop. ECCV 2016; Wang et al. Score-CAM. 2020",
        version: 3, parameters: [threshold, rule], needsAnnotations: true,
        secondaryValues: [pointingGame, energyPointingGame], direction: .higherIsBetter)
    let threshold: Double
    let rule: Rule

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(metric: Self.descriptor, params)
        threshold = try r[Self.threshold]
        rule = try r[Self.rule]
    }

    public func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult {
        let map = Self.withoutOffset(try AttributionMap(input, metric: Self.kind))
        let truth = try Self.groundTruth(input)
        guard truth.contains(true) else {
            throw MetricError.badInput(metric: Self.kind.rawValue,
                                       detail: "the ground truth of image '\(input.imageID)' covers no pixel of the \(map.width)x\(map.height) crop (boxes \(input.boxes)); check the annotation's coordinates")
        }
        let selected = binarise(map, seed: input.seed)
        var inter = 0, union = 0, truthCount = 0, selCount = 0
        for i in 0..<map.count {
            if selected[i] && truth[i] { inter += 1 }
            if selected[i] || truth[i] { union += 1 }
            if truth[i] { truthCount += 1 }
            if selected[i] { selCount += 1 }
        }
        var inside = 0.0, total = 0.0
        for i in 0..<map.count where map.values[i] > 0 {
            total += Double(map.values[i])
            if truth[i] { inside += Double(map.values[i]) }
        }
        let peak = map.strongestPixel(seed: input.seed) ?? 0
        let n = Double(map.count)
        return MetricResult(value: union > 0 ? Double(inter) / Double(union) : 0, extra: [
            Self.energyPointingGame: total > 0 ? inside / total : 0,
            Self.pointingGame: truth[peak] ? 1 : 0,
            "ground_truth_fraction": Double(truthCount) / n,
            "selected_fraction": Double(selCount) / n,
        ])
    }

    /// A map that is positive everywhere carries its location information above its minimum:
    /// RISE's maps, for one, sit on the mean masked score (0.6 to 0.8 on the sample images), so
    /// 15% of the maximum would select the whole image and the mass would spread with the area.
    /// Such a map is shifted down to a minimum of 0; maps that reach 0 or below are unchanged.
    static func withoutOffset(_ map: AttributionMap) -> AttributionMap {
        guard let low = map.values.min(), low > 0 else { return map }
        return AttributionMap(values: map.values.map { $0 - low }, width: map.width, height: map.height)
    }

    /// The binarised map (see the type's documentation).
    func binarise(_ map: AttributionMap, seed: UInt64) -> [Bool] {
        var out = [Bool](repeating: false, count: map.count)
        switch rule {
        case .maxFraction:
            let peak = map.values.max() ?? 0
            guard peak > 0 else { return out }
            let level = Float(threshold) * peak
            for i in 0..<map.count where map.values[i] >= level { out[i] = true }
        case .topFraction:
            let k = Swift.max(1, map.pixelCount(threshold))
            for i in map.descendingOrder(seed: seed).prefix(k) { out[i] = true }
        }
        return out
    }

    /// The union of the boxes and the mask of `input`, row-major over the crop.
    static func groundTruth(_ input: MetricInput) throws -> [Bool] {
        let (w, h) = (input.image.width, input.image.height)
        guard !input.boxes.isEmpty || input.mask != nil else {
            throw MetricError.missingAnnotation(metric: kind.rawValue, image: input.imageID)
        }
        var truth = [Bool](repeating: false, count: w * h)
        if let mask = input.mask {
            guard mask.count == w * h else {
                throw MetricError.badInput(metric: kind.rawValue,
                                           detail: "the mask of image '\(input.imageID)' has \(mask.count) pixels; the \(w)x\(h) crop needs \(w * h)")
            }
            truth = mask
        }
        for box in input.boxes {
            guard box.count == 4, box.allSatisfy(\.isFinite), box[0] <= box[2], box[1] <= box[3] else {
                throw MetricError.badInput(metric: kind.rawValue,
                                           detail: "box \(box) of image '\(input.imageID)' is not [x0, y0, x1, y1] with x0 <= x1 and y0 <= y1")
            }
            let xs = max(0, Int((box[0] - 0.5).rounded(.up))), xe = min(w - 1, Int((box[2] - 0.5).rounded(.down)))
            let ys = max(0, Int((box[1] - 0.5).rounded(.up))), ye = min(h - 1, Int((box[3] - 0.5).rounded(.down)))
            guard xs <= xe, ys <= ye else { continue }
            for y in ys...ye { for x in xs...xe { truth[y * w + x] = true } }
        }
        return truth
    }
}
