import Foundation

/// How a raw attribution map is mapped to colormap positions 0...1 for display.
/// Values outside the chosen range saturate at the colormap ends; `ScaledMap` records the
/// range and how much was saturated, so a gallery can state it next to the colour bar.
public enum MapScaling: Sendable, Equatable {
    /// lo = minimum, hi = maximum of the map: nothing saturates.
    case minMax
    /// lo = minimum, hi = the given percentile (0...100, e.g. 99.5, numpy's linear
    /// interpolation) of the map: the top (100 - p)% saturate, so a few extreme pixels
    /// do not wash out the rest.
    case percentile(Double)
    /// For signed maps with a diverging colormap: m = the given percentile of |value|,
    /// lo = -m, hi = m, so 0 sits at the colormap centre.
    case symmetric(Double)
    /// A fixed range, e.g. shared by several images so their colours compare.
    case fixed(lo: Float, hi: Float)

    /// The display range for `map` (non-finite values are ignored).
    public func scale(_ map: [Float]) -> ScaledMap {
        let finite = map.filter { $0.isFinite }
        guard !finite.isEmpty else { return ScaledMap(lo: 0, hi: 0, percentile: nil, symmetric: false, saturatedFraction: 0) }
        var lo: Float, hi: Float, pct: Double? = nil, symmetric = false
        switch self {
        case .minMax:
            lo = finite.min()!
            hi = finite.max()!
        case .percentile(let p):
            lo = finite.min()!
            hi = MapScaling.percentile(finite, p)
            pct = p
        case .symmetric(let p):
            let m = MapScaling.percentile(finite.map { abs($0) }, p)
            lo = -m
            hi = m
            pct = p
            symmetric = true
        case .fixed(let a, let b):
            lo = Swift.min(a, b)
            hi = Swift.max(a, b)
        }
        let outside = finite.reduce(0) { $0 + (($1 < lo || $1 > hi) ? 1 : 0) }
        return ScaledMap(lo: lo, hi: hi, percentile: pct, symmetric: symmetric,
                         saturatedFraction: Float(outside) / Float(finite.count))
    }

    /// The p-th percentile (0...100) with linear interpolation between order statistics
    /// (numpy's default). `values` must be non-empty.
    public static func percentile(_ values: [Float], _ p: Double) -> Float {
        precondition(!values.isEmpty)
        let sorted = values.sorted()
        let q = Swift.min(Swift.max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let i = Int(q)
        let f = Float(q - Double(i))
        if i + 1 >= sorted.count { return sorted[sorted.count - 1] }
        return sorted[i] + (sorted[i + 1] - sorted[i]) * f
    }
}

/// The display range actually used for a map.
public struct ScaledMap: Sendable, Equatable {
    /// Value shown at colormap position 0.
    public var lo: Float
    /// Value shown at colormap position 1.
    public var hi: Float
    /// The percentile that set the range, if one did.
    public var percentile: Double?
    /// True when the range is symmetric about 0 (0 at the colormap centre).
    public var symmetric: Bool
    /// Fraction of the map's finite values outside lo...hi (shown saturated).
    public var saturatedFraction: Float

    public init(lo: Float, hi: Float, percentile: Double?, symmetric: Bool, saturatedFraction: Float) {
        self.lo = lo
        self.hi = hi
        self.percentile = percentile
        self.symmetric = symmetric
        self.saturatedFraction = saturatedFraction
    }

    /// Colormap position of a value, clamped to 0...1. A degenerate range maps everything
    /// to 0 (or 0.5 for a symmetric range).
    @inline(__always)
    public func position(_ v: Float) -> Float {
        guard hi > lo else { return symmetric ? 0.5 : 0 }
        guard v.isFinite else { return symmetric ? 0.5 : 0 }
        return Swift.min(Swift.max((v - lo) / (hi - lo), 0), 1)
    }

    /// A one-line statement of the range for captions, e.g.
    /// "range -0.12 ... 0.12 (symmetric, 99.5th percentile of |value|; 0.5% saturated)".
    public var caption: String {
        var s = "range \(ScaledMap.format(lo)) ... \(ScaledMap.format(hi))"
        var notes: [String] = []
        if let p = percentile {
            notes.append(symmetric ? "symmetric, \(ScaledMap.format(Float(p)))th percentile of |value|"
                                   : "min to \(ScaledMap.format(Float(p)))th percentile")
        }
        if saturatedFraction > 0 { notes.append("\(ScaledMap.format(saturatedFraction * 100))% saturated") }
        if !notes.isEmpty { s += " (" + notes.joined(separator: "; ") + ")" }
        return s
    }

    static func format(_ v: Float) -> String {
        let a = abs(v)
        if a != 0 && (a < 1e-3 || a >= 1e5) { return String(format: "%.3e", Double(v)) }
        return String(format: "%.4g", Double(v))
    }
}
