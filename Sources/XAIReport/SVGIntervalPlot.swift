import Foundation

/// A "forest plot" written as inline SVG: one line per row label, a dot at the mean and a
/// whisker over the confidence interval for each series (e.g. each model), over a shared
/// x axis with ticks. Used on the comparison page, one plot per metric.
public struct SVGIntervalPlot: Sendable {
    /// One estimate: `mean`, and the interval when there is one.
    public struct Mark: Sendable, Equatable {
        public var series: Int
        public var mean: Double
        public var lower: Double?
        public var upper: Double?

        public init(series: Int, mean: Double, lower: Double?, upper: Double?) {
            self.series = series
            self.mean = mean
            self.lower = lower
            self.upper = upper
        }
    }

    public var title: String
    public var xLabel: String
    /// Series names (legend), coloured from the categorical palette in order.
    public var series: [String]
    /// Row label and its marks, top to bottom.
    public var rows: [(label: String, marks: [Mark])]
    public var width: Double

    public init(title: String, xLabel: String, series: [String], rows: [(label: String, marks: [Mark])], width: Double = 560) {
        self.title = title
        self.xLabel = xLabel
        self.series = series
        self.rows = rows
        self.width = width
    }

    static let rowHeight = 22.0

    public func render() -> String {
        let values = rows.flatMap { $0.marks.flatMap { [$0.mean, $0.lower, $0.upper].compactMap { $0 } } }.filter(\.isFinite)
        let ticks = AxisTicks(lo: values.min() ?? 0, hi: values.max() ?? 1, count: 5)
        // Room for the longest row label (up to 44 characters at ~6 px each).
        let longest = min(rows.map { $0.label.count }.max() ?? 0, 44)
        let left = max(170, 20 + 6 * Double(longest)), right = 16.0, top = 26.0 + (series.count > 1 ? 16 : 0)
        let width = max(self.width, left + 200)
        let y1 = top + Double(rows.count) * Self.rowHeight
        let height = y1 + 40
        let c = NumberFormat.coordinate, e = HTML.escape
        func px(_ v: Double) -> Double { left + (v - ticks.lo) / (ticks.hi - ticks.lo) * (width - left - right) }

        var s = "<svg class=\"plot interval\" viewBox=\"0 0 \(c(width)) \(c(height))\" width=\"\(c(width))\" height=\"\(c(height))\""
        s += " role=\"img\" aria-label=\"\(e(title))\"><title>\(e(title))</title>\n"
        s += "<text class=\"plot-title\" x=\"8\" y=\"16\">\(e(title))</text>\n"
        if series.count > 1 {
            var x = left
            s += "<g class=\"legend\">"
            for (i, name) in series.enumerated() {
                s += "<circle cx=\"\(c(x + 4))\" cy=\"30\" r=\"4\" fill=\"\(Palette.color(i))\"/>"
                s += "<text x=\"\(c(x + 12))\" y=\"33.5\">\(e(SVGPlot.shorten(name, 20)))</text>"
                x += 20 + 6.5 * Double(min(name.count, 20))
            }
            s += "</g>\n"
        }
        s += "<g class=\"grid\">"
        for v in ticks.values { s += "<line x1=\"\(c(px(v)))\" y1=\"\(c(top))\" x2=\"\(c(px(v)))\" y2=\"\(c(y1))\"/>" }
        s += "</g>\n<g class=\"axis\"><line x1=\"\(c(left))\" y1=\"\(c(y1))\" x2=\"\(c(width - right))\" y2=\"\(c(y1))\"/>"
        for v in ticks.values {
            s += "<line class=\"tick\" x1=\"\(c(px(v)))\" y1=\"\(c(y1))\" x2=\"\(c(px(v)))\" y2=\"\(c(y1 + 4))\"/>"
            s += "<text class=\"xtick\" x=\"\(c(px(v)))\" y=\"\(c(y1 + 15))\" text-anchor=\"middle\">\(e(ticks.label(v)))</text>"
        }
        s += "<text class=\"xlabel\" x=\"\(c((left + width - right) / 2))\" y=\"\(c(height - 6))\" text-anchor=\"middle\">\(e(xLabel))</text></g>\n"
        for (i, row) in rows.enumerated() {
            let yc = top + (Double(i) + 0.5) * Self.rowHeight
            s += "<g class=\"row\"><text x=\"\(c(left - 8))\" y=\"\(c(yc + 3.5))\" text-anchor=\"end\">\(e(SVGPlot.shorten(row.label, 44)))</text>"
            let n = Double(max(series.count, 1))
            for m in row.marks where m.mean.isFinite {
                // Series side by side within the row so whiskers do not overlap.
                let y = yc + (Double(m.series) - (n - 1) / 2) * min(6, Self.rowHeight / (n + 1))
                let col = Palette.color(m.series)
                if let lo = m.lower, let hi = m.upper, lo.isFinite, hi.isFinite {
                    s += "<line x1=\"\(c(px(lo)))\" y1=\"\(c(y))\" x2=\"\(c(px(hi)))\" y2=\"\(c(y))\" stroke=\"\(col)\" stroke-width=\"2\"/>"
                }
                let tip = series.indices.contains(m.series) ? "\(series[m.series]): " : ""
                s += "<circle cx=\"\(c(px(m.mean)))\" cy=\"\(c(y))\" r=\"3.5\" fill=\"\(col)\"><title>\(e(tip + NumberFormat.short(m.mean)))</title></circle>"
            }
            s += "</g>\n"
        }
        s += "</svg>"
        return s
    }
}
