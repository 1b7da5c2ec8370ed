import XAICore
import XAIManifest

extension Gallery {
    /// The images x method instances grid of one page: column heads (sticky), then the page's
    /// rows (each rendered by `gridRow`), with the pager above and below when there are pages.
    static func grid(_ h: inout HTMLBuilder, _ layout: GalleryLayout, rows: [String], pager: Pager?) {
        h.open("section", ["id": "gallery", "class": "card"])
        h.element("h2", text: "Images × methods")
        if layout.rows.isEmpty {
            h.element("p", ["class": "muted"], text: "No explanations in this run.")
            h.close("section")
            h.newline()
            return
        }
        if !layout.sweptColumns.isEmpty {
            let names = layout.sweptColumns.map { layout.severalModels ? "\($0.instance) · \($0.model)" : $0.instance }
            h.element("p", ["class": "muted small"],
                      text: "Swept instances (\(names.joined(separator: ", "))) are shown as strips under each image, ordered by the swept value.")
        }
        pager?.write(&h)
        h.open("div", ["class": "grid-wrap"])
        // Sweeps only: the image on the left, its strips stacked beside it (no empty columns).
        let sweepsOnly = layout.columns.isEmpty
        h.open("div", sweepsOnly ? ["class": "grid sweeps-only"] : ["class": "grid", "style": "--cols: \(layout.columns.count)"])
        h.newline()
        h.element("div", ["class": "col-head corner"], text: "image")
        if sweepsOnly { h.element("div", ["class": "col-head"], text: "sweeps") }
        for c in layout.columns {
            h.open("div", ["class": "col-head"])
            h.text(c.instance)
            if c.method != c.instance { h.element("span", ["class": "kind"], text: c.method) }
            if layout.severalModels { h.element("span", ["class": "model"], text: c.model) }
            h.close("div")
        }
        h.newline()
        for (i, row) in rows.enumerated() {
            if i > 0 { h.raw("<div class=\"row-sep\"></div>\n") }
            h.raw(row)
        }
        h.close("div")
        h.close("div")
        pager?.write(&h)
        h.close("section")
        h.newline()
    }

    /// One row of the grid: its head, a cell per column and the strips of its swept instances.
    static func gridRow(_ row: GalleryLayout.Row, _ m: Manifest, _ layout: GalleryLayout) -> String {
        var h = HTMLBuilder()
        let strips = layout.sweptColumns.flatMap { layout.strips(row, $0) }
        rowHead(&h, row, m, layout, span: layout.columns.isEmpty ? strips.count : 1)
        h.newline()
        for c in layout.columns {
            let rs = layout.results(row, c)
            if rs.isEmpty {
                let failed = m.failures.contains { $0.image == row.image.id && $0.method == c.instance && ($0.model ?? c.model) == c.model }
                let sameForAll = row.slot > 0 && layout.catalogue.method(named: c.method)?.usesTarget == false
                h.element("div", ["class": "cell empty"], text: failed ? "failed (see Failures)"
                          : sameForAll ? "the same for every class (first row)" : "not run")
            } else {
                for r in rs { cell(&h, r, layout: layout, strip: nil) }
            }
            h.newline()
        }
        for strip in strips { sweepStrip(&h, strip, layout) }
        return h.output
    }

    /// The row header: the cropped input, the explained target and the top predictions.
    /// - Parameter span: grid rows the head spans (its strips, when the grid has no columns).
    static func rowHead(_ h: inout HTMLBuilder, _ row: GalleryLayout.Row, _ m: Manifest, _ layout: GalleryLayout, span: Int) {
        h.open("div", ["class": "row-head", "id": "image-\(anchor(row.image.id))-\(row.slot + 1)",
                       "style": span > 1 ? "grid-row: span \(span)" : nil])
        let models = modelOrder(row, m)
        let inputs = models.compactMap { name in row.image.inputs[name].map { (name, $0) } }.filter { $0.1.hasSuffix(".png") }
        // Several models often see the same crop; show each distinct picture once.
        var shown = [(String, String)]()
        for (name, path) in inputs where !shown.contains(where: { $0.1 == path }) { shown.append((name, path)) }
        h.open("div", ["class": "input"])
        if shown.isEmpty {
            h.element("div", ["class": "thumb nopic"], text: "no preview")
        }
        for (name, path) in shown {
            h.open("figure")
            picture(&h, path, alt: "\(row.image.id) as \(name) sees it")
            if shown.count > 1 { h.element("figcaption", ["class": "muted"], text: name) }
            h.close("figure")
        }
        h.close("div")
        h.element("h3", text: row.image.id)
        var facts = [row.image.path]
        if row.image.width > 0 { facts.append("\(row.image.width) × \(row.image.height) px") }
        h.element("div", ["class": "muted small mono", "title": row.image.sha256.isEmpty ? nil : "SHA-256 \(row.image.sha256)"],
                  text: facts.joined(separator: " · "))
        for name in models {
            guard let t = row.targets[name] else { continue }
            h.open("div", ["class": "target"])
            h.text(layout.severalModels ? "\(name) explains " : "Explaining ")
            h.element("b", text: t.label)
            h.element("div", ["class": "muted"], text: "class \(t.index) · p = \(NumberFormat.percent(t.probability)) · rank \(t.rank)")
            h.close("div")
        }
        for name in models {
            guard let p = m.predictions.first(where: { $0.image == row.image.id && $0.model == name }) else { continue }
            if layout.severalModels { h.element("div", ["class": "preds-model"], text: name) }
            h.open("ol", ["class": "preds", "aria-label": "top predictions"])
            for t in p.top.prefix(5) {
                h.open("li", ["class": row.targets[name]?.index == t.index ? "explained" : nil])
                h.element("span", ["class": "lab", "title": "class \(t.index)"], text: t.label)
                h.open("span", ["class": "bar"])
                let w = NumberFormat.fixed(min(max(t.probability, 0), 1) * 100, 1)
                h.open("span", ["style": "width: \(w)%"])
                h.close("span")
                h.close("span")
                h.element("span", ["class": "p"], text: NumberFormat.percent(t.probability))
                h.close("li")
            }
            h.close("ol")
        }
        h.close("div")
    }

    /// Models of a row in the manifest's order (then any others, sorted).
    static func modelOrder(_ row: GalleryLayout.Row, _ m: Manifest) -> [String] {
        var names = m.models.map(\.name)
        for n in Set(row.results.map(\.model)).union(row.image.inputs.keys).sorted() where !names.contains(n) { names.append(n) }
        return names
    }

    /// A strip of one swept instance: its sweep points side by side, then metric plots.
    static func sweepStrip(_ h: inout HTMLBuilder, _ s: GalleryLayout.Strip, _ layout: GalleryLayout) {
        h.open("div", ["class": "strip"])
        h.open("h4")
        h.text(s.column.instance)
        var note = "sweep of \(s.axis)"
        if !s.fixed.isEmpty { note += " at \(s.fixed)" }
        if layout.severalModels { note += " · \(s.column.model)" }
        h.element("span", ["class": "muted"], text: " — " + note)
        h.close("h4")
        h.open("div", ["class": "strip-items"])
        for r in s.results { cell(&h, r, layout: layout, strip: s.axis) }
        h.close("div")
        let plots = stripPlots(s, layout)
        if !plots.isEmpty {
            h.open("div", ["class": "strip-plots"])
            for p in plots { h.raw(p.render()) }
            h.close("div")
        }
        h.close("div")
        h.newline()
    }

    /// One plot per metric of the metric against the swept value (numeric axes only).
    static func stripPlots(_ s: GalleryLayout.Strip, _ layout: GalleryLayout) -> [SVGPlot] {
        guard s.results.count > 1, s.results.allSatisfy({ $0.sweep[s.axis]?.numberValue != nil }) else { return [] }
        let ids = layout.catalogue.sortedMetricIDs(Set(s.results.flatMap { $0.metrics.keys }))
        return ids.map { id in
            let pts = s.results.compactMap { r -> (x: Double, y: Double)? in
                guard let x = r.sweep[s.axis]?.numberValue, let v = r.metrics[id]?.value else { return nil }
                return (x, v)
            }
            return SVGPlot(title: "\(layout.catalogue.metricInfo(id).heading) vs \(s.axis)", xLabel: s.axis, yLabel: id,
                           series: [SVGPlot.Series(name: id, color: Palette.color(0), points: pts)],
                           width: 250, height: 170)
        }
    }

    /// A string usable in an id attribute (letters, digits, `-`, `_`; others as `_`).
    static func anchor(_ s: String) -> String {
        String(s.unicodeScalars.map { HTML.isPlainNameCharacter($0) ? Character($0) : "_" })
    }
}
