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
    ///
    /// Sorted by a radix sort of one 64-bit key per pixel (the value's order in the high half,
    /// the tie key's top 32 bits in the low half; the rare runs that tie on it are sorted by the
    /// whole tie key, then the index): the order of the definition, in 2.0-2.7 ms at 224 x 224
    /// against 4.5-4.9 ms for a stable sort of indices by that comparison (`AttributionMapTests`,
    /// a map with plateaus); a compare-methods run sorts about 1,400 maps, each on one core.
    func descendingOrder(seed: UInt64) -> [Int] {
        var rng = SeededRandom(seed: seed, stream: Self.tieStream)
        let key = (0..<count).map { _ in rng.next() }
        let composite = (0..<count).map { UInt64(Self.descendingRank(values[$0])) << 32 | key[$0] >> 32 }
        var order = Self.radixOrder(composite)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && composite[Int(order[end])] == composite[Int(order[start])] { end += 1 }
            if end - start > 1 {
                order[start..<end].sort { a, b in key[Int(a)] != key[Int(b)] ? key[Int(a)] < key[Int(b)] : a < b }
            }
            start = end
        }
        return order.map(Int.init)
    }

    /// Larger values give smaller ranks; -0 and +0 rank alike (they compare equal). Maps hold
    /// finite values.
    static func descendingRank(_ v: Float) -> UInt32 {
        let bits = (v == 0 ? 0 : v).bitPattern
        let ascending = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return ~ascending
    }

    /// Indices of `keys` in ascending order, equal keys by index: a stable least-significant-
    /// digit radix sort, 8 bits per pass.
    static func radixOrder(_ keys: [UInt64]) -> [Int32] {
        var order = (0..<Int32(keys.count)).map { $0 }
        var next = order
        var counts = [Int](repeating: 0, count: 257)
        for shift in stride(from: 0, to: 64, by: 8) {
            for i in counts.indices { counts[i] = 0 }
            for k in keys { counts[Int((k >> UInt64(shift)) & 0xFF) + 1] += 1 }
            if counts[1...].contains(keys.count) { continue }   // one digit value: the pass keeps the order
            for d in 1..<257 { counts[d] += counts[d - 1] }
            for i in order {
                let d = Int((keys[Int(i)] >> UInt64(shift)) & 0xFF)
                next[counts[d]] = i
                counts[d] += 1
            }
            swap(&order, &next)
        }
        return order
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
