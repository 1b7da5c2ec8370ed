import XAICore
import XAIManifest

extension Gallery {
    /// Per image of a page: a table of its metrics and their curves, one block per row (empty
    /// for rows without metrics), so pages can be cut between rows.
    static func imageMetrics(_ row: GalleryLayout.Row, _ layout: GalleryLayout) -> String {
        let rs = layout.sorted(row.results.filter { !$0.metrics.isEmpty })
        guard !rs.isEmpty else { return "" }
        var h = HTMLBuilder()
        h.element("h3", text: row.slot == 0 ? row.image.id : "\(row.image.id) · target \(row.slot + 1)")
        imageMetricTable(&h, rs, layout)
        let plots = curvePlots(rs, layout)
        if !plots.isEmpty {
            h.open("div", ["class": "plots"])
            for p in plots { h.raw(p.render()) }
            h.close("div")
        }
        h.newline()
        return h.output
    }

    /// The section holding the per-image blocks of one page.
    static func perImageMetrics(_ h: inout HTMLBuilder, _ blocks: [String]) {
        guard blocks.contains(where: { !$0.isEmpty }) else { return }
        h.open("section", ["id": "metrics-per-image", "class": "card"])
        h.element("h2", text: "Metrics per image")
        for b in blocks { h.raw(b) }
        h.close("section")
        h.newline()
    }

    /// Row label of a result in tables and plot legends: the run id, plus the model when
    /// the experiment has several.
    static func runLabel(_ r: Manifest.Result, _ layout: GalleryLayout) -> String {
        layout.severalModels ? "\(r.run) · \(r.model)" : r.run
    }

    static func imageMetricTable(_ h: inout HTMLBuilder, _ rs: [Manifest.Result], _ layout: GalleryLayout) {
        let ids = layout.catalogue.sortedMetricIDs(Set(rs.flatMap { $0.metrics.keys }))
        // Best value per column, by the metric's direction.
        var best = [String: Double]()
        for id in ids {
            let dir = layout.catalogue.metricInfo(id).direction
            let vs = rs.compactMap { $0.metrics[id]?.value }.filter(\.isFinite)
            guard dir != .neither, vs.count > 1 else { continue }
            best[id] = dir == .higherIsBetter ? vs.max() : vs.min()
        }
        h.open("div", ["class": "table-wrap"])
        h.open("table", ["class": "data per-image"])
        h.open("thead")
        h.open("tr")
        h.element("th", text: "method")
        for id in ids { h.element("th", ["title": layout.catalogue.metricInfo(id).summary], text: layout.catalogue.metricInfo(id).heading) }
        h.close("tr")
        h.close("thead")
        h.open("tbody")
        for r in rs {
            h.open("tr")
            h.element("th", ["scope": "row"], text: runLabel(r, layout))
            for id in ids {
                if let v = r.metrics[id]?.value {
                    h.open("td", ["class": best[id] == v ? "num best" : "num"])
                    h.element("span", ["class": "mean"], text: NumberFormat.short(v))
                    h.close("td")
                } else {
                    h.element("td", ["class": "num empty"], text: "–")
                }
            }
            h.close("tr")
        }
        h.close("tbody")
        h.close("table")
        h.close("div")
    }

    /// One plot per metric that recorded curves (deletion, insertion, ...), one line per method run.
    static func curvePlots(_ rs: [Manifest.Result], _ layout: GalleryLayout) -> [SVGPlot] {
        let ids = layout.catalogue.sortedMetricIDs(Set(rs.flatMap { r in r.metrics.filter { $0.value.x != nil && $0.value.y != nil }.keys }))
        return ids.map { id in
            var series = [SVGPlot.Series]()
            for r in rs {
                guard let mv = r.metrics[id], let xs = mv.x, let ys = mv.y, !xs.isEmpty else { continue }
                let pts = zip(xs, ys).map { (x: $0, y: $1) }
                series.append(SVGPlot.Series(name: "\(runLabel(r, layout)) (\(NumberFormat.short(mv.value)))",
                                             color: Palette.color(series.count), points: pts))
            }
            let all = series.flatMap(\.points)
            let unitX = all.allSatisfy { (0...1).contains($0.x) }, unitY = all.allSatisfy { (0...1).contains($0.y) }
            let curve = layout.catalogue.metricInfo(id).descriptor?.curve
            let (xLabel, yLabel) = (curve?.x ?? "x", curve?.y ?? "value")
            return SVGPlot(title: "\(id) curve", xLabel: xLabel, yLabel: yLabel, series: series,
                           xRange: unitX ? 0...1 : nil, yRange: unitY ? 0...1 : nil, width: 420, height: 250)
        }
    }

    /// Metric against the swept parameter for each swept instance: a faint line per image and
    /// the mean over images in bold (one bold line per combination of the other swept values).
    static func sweepPlots(_ h: inout HTMLBuilder, _ layout: GalleryLayout, _ m: Manifest) {
        var plots = [SVGPlot]()
        for c in layout.sweptColumns {
            // Strips of every row for this instance, keyed by their fixed values.
            var byFixed = [String: [GalleryLayout.Strip]]()
            var axis: String?
            for row in layout.rows {
                for s in layout.strips(row, c) {
                    byFixed[s.fixed, default: []].append(s)
                    axis = axis ?? s.axis
                }
            }
            guard let axis else { continue }
            let strips = byFixed.values.flatMap { $0 }
            guard strips.allSatisfy({ $0.axis == axis }),
                  strips.allSatisfy({ $0.results.allSatisfy { $0.sweep[axis]?.numberValue != nil } }) else { continue }
            let ids = layout.catalogue.sortedMetricIDs(Set(strips.flatMap { $0.results.flatMap { $0.metrics.keys } }))
            // Groups in the order of their fixed values (numerically: stride=4 before stride=16).
            let groups = byFixed.keys.sorted { a, b in
                let ra = byFixed[a]?.first?.results.first?.sweep, rb = byFixed[b]?.first?.results.first?.sweep
                guard let ra, let rb else { return a < b }
                let c = GalleryLayout.compareSweeps(ra.restricted(to: ra.keys.filter { $0 != axis }),
                                                    rb.restricted(to: rb.keys.filter { $0 != axis }))
                return c != 0 ? c < 0 : a < b
            }
            for id in ids {
                var series = [SVGPlot.Series]()
                for (gi, g) in groups.enumerated() {
                    var sums = [Double: (Double, Int)]()
                    for s in byFixed[g]! {
                        let pts = s.results.compactMap { r -> (x: Double, y: Double)? in
                            guard let x = r.sweep[axis]?.numberValue, let v = r.metrics[id]?.value, v.isFinite else { return nil }
                            return (x, v)
                        }
                        for p in pts { sums[p.x, default: (0, 0)].0 += p.y; sums[p.x, default: (0, 0)].1 += 1 }
                        if groups.count == 1 && byFixed[g]!.count > 1 {
                            let name = s.results.first.map(\.image) ?? ""
                            series.append(SVGPlot.Series(name: name, color: Palette.color(0), points: pts, faint: true))
                        }
                    }
                    let mean = sums.keys.sorted().map { (x: $0, y: sums[$0]!.0 / Double(sums[$0]!.1)) }
                    let name = g.isEmpty ? "mean over images" : "\(g) (mean)"
                    series.append(SVGPlot.Series(name: name, color: Palette.color(gi), points: mean))
                }
                let model = layout.severalModels ? " · \(c.model)" : ""
                plots.append(SVGPlot(title: "\(c.instance)\(model): \(layout.catalogue.metricInfo(id).heading)", xLabel: axis,
                                     yLabel: id, series: series, width: 420, height: 250))
            }
        }
        guard !plots.isEmpty else { return }
        h.open("section", ["id": "sweeps", "class": "card"])
        h.element("h2", text: "Metrics against swept parameters")
        h.element("p", ["class": "muted small"], text: "Thin lines: single images; thick line: mean over images.")
        h.open("div", ["class": "plots"])
        for p in plots {
            h.raw(p.render())
            h.newline()
        }
        h.close("div")
        h.close("section")
        h.newline()
    }
}
