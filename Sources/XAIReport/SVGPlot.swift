import Foundation

/// A line plot written as inline SVG: axes with "nice" ticks and labels, light grid lines,
/// one polyline (with point markers) per series and a legend. Pure text, no scripts, so it is
/// safe inside the gallery and deterministic (coordinates with two decimals).
public struct SVGPlot: Sendable {
    /// One line of the plot.
    public struct Series: Sendable, Equatable {
        public var name: String
        /// CSS colour (`#1f77b4`); written escaped.
        public var color: String
        public var points: [(x: Double, y: Double)]
        /// Draw a thinner, translucent line (e.g. per-image lines under a mean).
        public var faint: Bool

        public init(name: String, color: String, points: [(x: Double, y: Double)], faint: Bool = false) {
            self.name = name
            self.color = color
            self.points = points
            self.faint = faint
        }

        public static func == (a: Series, b: Series) -> Bool {
            a.name == b.name && a.color == b.color && a.faint == b.faint
                && a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Fixed axis ranges; nil fits the data.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var width: Double
    public var height: Double

    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                width: Double = 360, height: Double = 240) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.xRange = xRange
        self.yRange = yRange
        self.width = width
        self.height = height
    }

    // The legend: beside the plot while its entries fit the plot's height, else under it in
    // columns (the SVG grows), so every line is named however many methods there are.
    private static let legendRow = 15.0, legendColumn = 150.0, legendBeside = 118.0
    private var legendEntries: [Series] { series.count > 1 ? series.filter { !$0.faint } : [] }
    private var legendBelow: Bool { Double(legendEntries.count) * Self.legendRow > height - 26 - 40 }
    private var legendColumns: Int { max(1, Int((width - 20) / Self.legendColumn)) }
    private var legendHeight: Double {
        legendBelow ? 8 + Double((legendEntries.count + legendColumns - 1) / legendColumns) * Self.legendRow : 0
    }
    /// The SVG's height: the plot's, plus the legend's when it sits under the plot.
    public var totalHeight: Double { height + legendHeight }
    // Plot area margins: room for tick labels (left, bottom), the title (top) and a legend beside.
    private var margin: (left: Double, right: Double, top: Double, bottom: Double) {
        (48, 12 + (legendEntries.isEmpty || legendBelow ? 0 : Self.legendBeside), 26, 40)
    }

    /// Dash pattern of each line: lines that repeat an earlier line's colour are dashed,
    /// so more lines than the palette has colours stay distinguishable.
    private func dashes() -> [String?] {
        var seen = [String: Int]()
        return series.map { line in
            guard !line.faint else { return nil }
            let n = seen[line.color, default: 0]
            seen[line.color] = n + 1
            return n == 0 ? nil : ["6 3", "2 2", "8 2 2 2"][(n - 1) % 3]
        }
    }

    /// Ticks of the x and y axes (the axis ranges are the outermost ticks).
    public var ticks: (x: AxisTicks, y: AxisTicks) {
        let pts = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xs = pts.map(\.x), ys = pts.map(\.y)
        let xr = xRange ?? ((xs.min() ?? 0)...(xs.max() ?? 1))
        let yr = yRange ?? ((ys.min() ?? 0)...(ys.max() ?? 1))
        return (AxisTicks(lo: xr.lowerBound, hi: xr.upperBound, count: 5),
                AxisTicks(lo: yr.lowerBound, hi: yr.upperBound, count: 5))
    }

    /// The plot as an `<svg>` element.
    public func render() -> String {
        let (tx, ty) = ticks
        let m = margin
        let x0 = m.left, x1 = width - m.right, y0 = m.top, y1 = height - m.bottom
        func px(_ x: Double) -> Double { x0 + (x - tx.lo) / (tx.hi - tx.lo) * (x1 - x0) }
        func py(_ y: Double) -> Double { y1 - (y - ty.lo) / (ty.hi - ty.lo) * (y1 - y0) }
        let c = NumberFormat.coordinate
        let e = HTML.escape

        var s = "<svg class=\"plot\" viewBox=\"0 0 \(c(width)) \(c(totalHeight))\""
        s += " width=\"\(c(width))\" height=\"\(c(totalHeight))\" role=\"img\" aria-label=\"\(e(title))\">"
        s += "<title>\(e(title))</title>\n"
        s += "<text class=\"plot-title\" x=\"\(c(x0))\" y=\"16\">\(e(title))</text>\n"
        // Grid and ticks.
        s += "<g class=\"grid\">"
        for v in tx.values { s += "<line x1=\"\(c(px(v)))\" y1=\"\(c(y0))\" x2=\"\(c(px(v)))\" y2=\"\(c(y1))\"/>" }
        for v in ty.values { s += "<line x1=\"\(c(x0))\" y1=\"\(c(py(v)))\" x2=\"\(c(x1))\" y2=\"\(c(py(v)))\"/>" }
        s += "</g>\n<g class=\"axis\">"
        s += "<line x1=\"\(c(x0))\" y1=\"\(c(y1))\" x2=\"\(c(x1))\" y2=\"\(c(y1))\"/>"
        s += "<line x1=\"\(c(x0))\" y1=\"\(c(y0))\" x2=\"\(c(x0))\" y2=\"\(c(y1))\"/>"
        for v in tx.values {
            s += "<line class=\"tick\" x1=\"\(c(px(v)))\" y1=\"\(c(y1))\" x2=\"\(c(px(v)))\" y2=\"\(c(y1 + 4))\"/>"
            s += "<text class=\"xtick\" x=\"\(c(px(v)))\" y=\"\(c(y1 + 15))\" text-anchor=\"middle\">\(e(tx.label(v)))</text>"
        }
        for v in ty.values {
            s += "<line class=\"tick\" x1=\"\(c(x0 - 4))\" y1=\"\(c(py(v)))\" x2=\"\(c(x0))\" y2=\"\(c(py(v)))\"/>"
            s += "<text class=\"ytick\" x=\"\(c(x0 - 6))\" y=\"\(c(py(v) + 3.5))\" text-anchor=\"end\">\(e(ty.label(v)))</text>"
        }
        s += "<text class=\"xlabel\" x=\"\(c((x0 + x1) / 2))\" y=\"\(c(height - 6))\" text-anchor=\"middle\">\(e(xLabel))</text>"
        s += "<text class=\"ylabel\" transform=\"translate(12 \(c((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\">\(e(yLabel))</text>"
        s += "</g>\n"
        // Series, faint ones first so the highlighted lines stay on top.
        let dash = dashes()
        let order = series.indices.filter { series[$0].faint } + series.indices.filter { !series[$0].faint }
        for i in order {
            let line = series[i]
            let pts = line.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !pts.isEmpty else { continue }
            let d = pts.enumerated().map { i, p in (i == 0 ? "M" : "L") + c(px(p.x)) + " " + c(py(p.y)) }.joined(separator: " ")
            s += "<g class=\"series\(line.faint ? " faint" : "")\"><title>\(e(line.name))</title>"
            s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(e(line.color))\"\(dash[i].map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
            if !line.faint && pts.count <= 24 {
                for p in pts { s += "<circle cx=\"\(c(px(p.x)))\" cy=\"\(c(py(p.y)))\" r=\"2.5\" fill=\"\(e(line.color))\"/>" }
            }
            s += "</g>\n"
        }
        // Legend (only when there is more than one line to tell apart).
        if !legendEntries.isEmpty {
            s += "<g class=\"legend\">"
            for (k, i) in series.indices.filter({ !series[$0].faint }).enumerated() {
                let line = series[i]
                let (lx, y, chars): (Double, Double, Int) = legendBelow
                    ? (x0 - 40 + Double(k % legendColumns) * Self.legendColumn, height + 4 + Double(k / legendColumns) * Self.legendRow, 22)
                    : (x1 + 10, y0 + 6 + Double(k) * Self.legendRow, 17)
                s += "<line x1=\"\(c(lx))\" y1=\"\(c(y))\" x2=\"\(c(lx + 14))\" y2=\"\(c(y))\" stroke=\"\(e(line.color))\""
                s += dash[i].map { " stroke-dasharray=\"\($0)\"" } ?? ""
                s += "/><text x=\"\(c(lx + 18))\" y=\"\(c(y + 3.5))\"><title>\(e(line.name))</title>\(e(SVGPlot.shorten(line.name, chars)))</text>"
            }
            s += "</g>\n"
        }
        s += "</svg>"
        return s
    }

    static func shorten(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n - 1)) + "…"
    }
}

/// Categorical colours for plot lines (colour-blind-friendly order, after Okabe and Ito,
/// extended with darker tones).
enum Palette {
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                         "#8C564B", "#7F7F7F", "#332288", "#117733", "#AA4499", "#882255"]

    static func color(_ i: Int) -> String { colors[i % colors.count] }
}
