import XAICore
import XAIImaging
import XAIMethods

/// The explanation map as the metrics see it: one value per pixel (row-major, width x height).
/// A multi-map explanation [K, H, W] (DFF concepts) is reduced to the per-pixel maximum over
/// its K maps: a pixel counts as important when any concept claims it.
struct AttributionMap: Sendable {
    let width: Int
    let height: Int
    let values: [Float]

    var count: Int { values.count }

    /// Reduces and checks `map` against the image size; names `metric` in errors.
    init(_ map: Tensor, width: Int, height: Int, metric: MetricKind) throws {
        let s = map.shape
        guard (s.count == 2 || s.count == 3), s[s.count - 2] == height, s[s.count - 1] == width,
              s.count == 2 || s[0] >= 1 else {
            throw MetricError.badInput(metric: metric.rawValue,
                                       detail: "the map must be [\(height), \(width)] or [K, \(height), \(width)] to match the image, got \(s)")
        }
        guard map.data.allSatisfy(\.isFinite) else {
            throw MetricError.numeric(metric: metric.rawValue, detail: "the map holds NaN or infinite values")
        }
        self.width = width
        self.height = height
        if s.count == 2 {
            values = map.data
        } else {
            let n = width * height
            var v = Array(map.data[0..<n])
            for k in 1..<s[0] {
                for i in 0..<n { v[i] = Swift.max(v[i], map.data[k * n + i]) }
            }
            values = v
        }
    }

    init(values: [Float], width: Int, height: Int) {
        precondition(values.count == width * height)
        self.width = width
        self.height = height
        self.values = values
    }

    /// The map of `input`, checked against its image.
    init(_ input: MetricInput, metric: MetricKind) throws {
        try self.init(input.map, width: input.image.width, height: input.image.height, metric: metric)
    }

    /// Random stream of the tie-breaking keys.
    static let tieStream: UInt64 = 0x6F72_6465_72

    /// Pixel indices from the most to the least important. Equal values are ordered by a seeded
    /// random key, so a flat region is removed in random order rather than row by row.
    func descendingOrder(seed: UInt64) -> [Int] {
        var rng = SeededRandom(seed: seed, stream: Self.tieStream)
        let key = (0..<count).map { _ in rng.next() }
        return (0..<count).sorted { a, b in
            values[a] != values[b] ? values[a] > values[b] : key[a] < key[b]
        }
    }

    /// The most important pixel: `descendingOrder(seed:).first` in one pass, so that a map whose
    /// maximum is shared by many pixels (binary maps of anchors, plateaus of superpixel methods)
    /// is not always represented by the top-left pixel of the plateau.
    func strongestPixel(seed: UInt64) -> Int? {
        guard count > 0 else { return nil }
        var rng = SeededRandom(seed: seed, stream: Self.tieStream)
        var best = 0, bestKey = rng.next()
        for i in 1..<count {
            let key = rng.next()
            if values[i] > values[best] || (values[i] == values[best] && key < bestKey) { (best, bestKey) = (i, key) }
        }
        return best
    }

    /// Min-max normalised to [0, 1] (a constant map becomes all 0).
    var minMaxNormalized: [Float] { MapNormalization.minmax.apply(values) }

    /// The number of pixels `fraction` of the map stands for, rounded, at least 0 and at most `count`.
    func pixelCount(_ fraction: Double) -> Int {
        Swift.min(count, Swift.max(0, Int((fraction * Double(count)).rounded())))
    }
}

/// Composes pictures from an image, a fill and a per-pixel selection (planar RGB).
enum Compose {
    /// `image` where `useFill[i]` is true replaced by `fill`, written to `dst` (3 * n floats).
    static func select(image: RGBImage, fill: RGBImage, useFill: [Bool], into dst: UnsafeMutablePointer<Float>) {
        let n = image.planeCount
        image.pixels.withUnsafeBufferPointer { src in
            fill.pixels.withUnsafeBufferPointer { f in
                for c in 0..<3 {
                    let base = c * n
                    for i in 0..<n { dst[base + i] = useFill[i] ? f[base + i] : src[base + i] }
                }
            }
        }
    }

    /// `fill + weight * (image - fill)` per pixel (weight 1 keeps the image, 0 gives the fill).
    static func blend(image: RGBImage, fill: RGBImage, weight: [Float], into dst: UnsafeMutablePointer<Float>) {
        let n = image.planeCount
        image.pixels.withUnsafeBufferPointer { src in
            fill.pixels.withUnsafeBufferPointer { f in
                for c in 0..<3 {
                    let base = c * n
                    for i in 0..<n { dst[base + i] = f[base + i] + weight[i] * (src[base + i] - f[base + i]) }
                }
            }
        }
    }

    /// A picture as `[Float]` from a writer.
    static func pixels(count: Int, _ write: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { write($0.baseAddress!) }
        return out
    }
}
