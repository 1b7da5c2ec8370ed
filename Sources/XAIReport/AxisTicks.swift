import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten covering a data range.
public struct AxisTicks: Equatable, Sendable {
    /// Axis range after widening to whole steps.
    public var lo: Double
    public var hi: Double
    public var step: Double
    /// Tick values from `lo` to `hi`.
    public var values: [Double]

    /// Ticks for data in `lo...hi`, about `count` of them (at least 2). A degenerate range is
    /// widened around its value so a flat curve still gets an axis.
    public init(lo dataLo: Double, hi dataHi: Double, count: Int = 5) {
        var a = dataLo.isFinite ? dataLo : 0, b = dataHi.isFinite ? dataHi : 1
        if a > b { swap(&a, &b) }
        if b - a < 1e-12 {
            let pad = a == 0 ? 1 : abs(a) * 0.1
            a -= pad
            b += pad
        }
        let step = AxisTicks.niceStep((b - a) / Double(max(count - 1, 1)))
        // Snap with a small tolerance so 0.30000000000000004 does not add a tick.
        let first = (a / step + 1e-9).rounded(.down) * step
        let last = (b / step - 1e-9).rounded(.up) * step
        self.lo = first
        self.hi = last
        self.step = step
        let n = Int(((last - first) / step).rounded())
        self.values = (0...n).map { first + Double($0) * step }
    }

    /// 1, 2 or 5 times a power of ten, the nearest to `raw` (Heckbert's rounding), so the
    /// tick count stays close to the one asked for.
    static func niceStep(_ raw: Double) -> Double {
        let e = (log10(raw)).rounded(.down)
        let base = pow(10, e)
        let f = raw / base
        let nice: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return nice * base
    }

    /// A tick's label with as many decimals as the step needs (steps of 0.05 give `0.15`).
    public func label(_ v: Double) -> String {
        if abs(v) >= 1e5 || step < 1e-4 { return String(format: "%.1e", v) }
        let decimals = max(0, Int((-log10(step) - 1e-9).rounded(.up)))
        return NumberFormat.fixed(v, decimals)
    }
}
