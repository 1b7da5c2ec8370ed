import XAIManifest

extension Gallery {
    /// One explanation: the overlay (or the method's first picture when it draws no overlay),
    /// its colour bar, the method and parameters, metrics, scalars, the
    /// legend of multi-map methods (DFF concepts) and any extra pictures.
    /// - Parameter strip: the swept parameter when the cell sits in a sweep strip.
    static func cell(_ h: inout HTMLBuilder, _ r: Manifest.Result, layout: GalleryLayout, strip: String?) {
        h.open("figure", ["class": "cell", "data-task": r.task])
        if let strip {
            h.element("div", ["class": "strip-value"], text: "\(strip) = \(r.sweep[strip]?.description ?? "?")")
        }
        var pictures = r.pictures.keys.sorted().map { ($0, r.pictures[$0]!) }
        if let overlay = r.overlay {
            picture(&h, overlay, alt: "\(r.instance) on \(r.image)")
        } else if !pictures.isEmpty {
            let (name, path) = pictures.removeFirst()
            picture(&h, path, alt: "\(r.instance) \(name) for \(r.image)")
        } else {
            h.element("div", ["class": "thumb nopic"], text: "no picture")
        }
        if let scale = r.scale { ColorBar.write(&h, scale) }
        h.open("figcaption")
        if strip == nil {
            h.open("div", ["class": "method"])
            h.text(r.instance)
            if r.method != r.instance { h.element("span", ["class": "kind"], text: " (\(r.method))") }
            h.close("div")
        }
        params(&h, r)
        keyValues(&h, layout.catalogue.sortedMetricIDs(Set(r.metrics.keys)).map { id in
            let info = layout.catalogue.metricInfo(id)
            return (info.heading, NumberFormat.short(r.metrics[id]!.value), info.summary.isEmpty ? id : "\(id): \(info.summary)")
        }, cls: "kv metrics")
        keyValues(&h, r.scalars.keys.sorted().map { ($0, NumberFormat.short(r.scalars[$0]!), nil) }, cls: "kv scalars")
        if isJoint(r) { jointLegendLink(&h, r) } else if !r.legend.isEmpty { legend(&h, r.legend) }
        if !pictures.isEmpty {
            h.open("div", ["class": "pictures"])
            for (name, path) in pictures {
                h.open("figure")
                picture(&h, path, alt: "\(name) of \(r.instance) for \(r.image)")
                h.element("figcaption", text: name)
                h.close("figure")
            }
            h.close("div")
        }
        h.close("figcaption")
        h.close("figure")
    }

    /// `k=v` for every parameter with a value (sorted), swept ones highlighted.
    static func params(_ h: inout HTMLBuilder, _ r: Manifest.Result) {
        // An empty value means "the model's default" (a target layer): nothing to show.
        let keys = r.params.keys.filter { r.params[$0]!.description != "" }
        guard !keys.isEmpty else { return }
        h.open("div", ["class": "params mono"])
        for (i, k) in keys.enumerated() {
            if i > 0 { h.text(" ") }
            let text = "\(k)=\(r.params[k]!.description)"
            if r.sweep[k] != nil { h.element("span", ["class": "swept"], text: text) } else { h.text(text) }
        }
        h.close("div")
    }

    static func keyValues(_ h: inout HTMLBuilder, _ rows: [(String, String, String?)], cls: String) {
        guard !rows.isEmpty else { return }
        h.open("table", ["class": cls])
        for (k, v, title) in rows {
            h.open("tr", ["title": title.flatMap { $0.isEmpty ? nil : $0 }])
            h.element("th", text: k)
            h.element("td", text: v)
            h.close("tr")
        }
        h.close("table")
    }

    /// Concept colour -> top labels with scores.
    static func legend(_ h: inout HTMLBuilder, _ entries: [Manifest.LegendEntry]) {
        h.open("ul", ["class": "legend"])
        for e in entries.sorted(by: { $0.index < $1.index }) {
            h.open("li")
            let c = e.color.count == 3 ? ColorBar.hex(e.color[0], e.color[1], e.color[2]) : "#888888"
            h.open("span", ["class": "swatch", "style": "background: \(c)", "title": "concept \(e.index)"])
            h.close("span")
            h.open("span")
            h.element("b", text: "\(e.index) ")
            let parts = e.labels.enumerated().map { i, l in
                i < e.scores.count ? "\(l) \(NumberFormat.fixed(e.scores[i], 2))" : l
            }
            h.text(parts.joined(separator: ", "))
            h.close("span")
            h.close("li")
        }
        h.close("ul")
    }

    /// An image by relative path; a path that would leave the folder is shown as text.
    static func picture(_ h: inout HTMLBuilder, _ path: String, alt: String) {
        guard let url = HTML.relativeURL(path) else {
            h.element("div", ["class": "thumb nopic"], text: "not shown (path outside the gallery folder): \(path)")
            return
        }
        // A link to the file itself: the browser shows it full size and lets the user zoom.
        h.open("a", ["class": "zoom", "href": url, "target": "_blank", "title": "\(alt) (full size)"])
        h.void("img", ["class": "thumb", "src": url, "alt": alt, "loading": "lazy"])
        h.close("a")
    }
}
