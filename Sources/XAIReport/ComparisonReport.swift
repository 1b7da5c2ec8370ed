import Foundation
import XAIManifest

/// Exports of a `ComparisonTable`: Markdown for READMEs and issues, CSV for spreadsheets and
/// scripts, and HTML for the gallery's `compare.html` page. Deterministic text throughout.
public enum ComparisonReport {
    // MARK: Markdown

    /// Markdown tables. One model: a single table, methods x metrics. Several models: one
    /// table per metric, methods x models. Cells read `mean [lower, upper]`; the best mean of
    /// each column is bold; headers carry ↑ / ↓ for the metric's direction.
    public static func markdown(_ t: ComparisonTable) -> String {
        var s = "# Comparison: \(md(t.name))\n\n"
        guard !t.isEmpty else { return s + "No metrics in this run.\n" }
        s += intro(t) + "\n\n"
        if t.models.count == 1, let model = t.models.first {
            s += "Model: \(md(model))\n\n"
            s += "| method | " + t.metrics.map { md(t.catalogue.metricInfo($0).heading) }.joined(separator: " | ") + " |\n"
            s += "|---|" + String(repeating: "---:|", count: t.metrics.count) + "\n"
            for m in t.methods {
                let cells = t.metrics.map { cellText(t, m.run, model, $0) }
                s += "| \(md(m.run)) | " + cells.joined(separator: " | ") + " |\n"
            }
        } else {
            for metric in t.metrics {
                s += "## \(md(t.catalogue.metricInfo(metric).heading))\n\n"
                s += "| method | " + t.models.map(md).joined(separator: " | ") + " |\n"
                s += "|---|" + String(repeating: "---:|", count: t.models.count) + "\n"
                for m in t.methods {
                    s += "| \(md(m.run)) | " + t.models.map { cellText(t, m.run, $0, metric) }.joined(separator: " | ") + " |\n"
                }
                s += "\n"
            }
        }
        return s
    }

    static func intro(_ t: ComparisonTable) -> String {
        let img = t.imageCount == 1 ? "1 image" : "\(t.imageCount) images"
        var s = "Means over \(img)"
        if t.cells.contains(where: { $0.interval.lower != nil }) {
            s += " with 95% percentile bootstrap intervals (\(t.resamples) resamples, seed \(t.seed))"
        }
        return s + ". ↑ higher is better, ↓ lower is better; the best mean per column is in bold."
    }

    private static func cellText(_ t: ComparisonTable, _ run: String, _ model: String, _ metric: String) -> String {
        guard let c = t.cell(method: run, model: model, metric: metric) else { return "–" }
        var mean = NumberFormat.short(c.interval.mean)
        if t.best(model: model, metric: metric).contains(run) { mean = "**\(mean)**" }
        guard let lo = c.interval.lower, let hi = c.interval.upper else { return mean }
        return "\(mean) [\(NumberFormat.short(lo)), \(NumberFormat.short(hi))]"
    }

    /// Text safe inside a Markdown table cell: pipes escaped, line breaks and backslashes
    /// neutralised, HTML-looking text escaped (many renderers pass raw HTML through).
    static func md(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "|": out += "\\|"
            case "\\": out += "\\\\"
            case "\n", "\r": out += " "
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            default: out.append(ch)
            }
        }
        return out
    }

    // MARK: CSV

    /// CSV in long form, one line per cell: `method,instance,kind,model,metric,n,mean,ci_low,ci_high`.
    /// Numbers use Swift's shortest round-trip form; intervals are empty with fewer than two
    /// values. Fields are quoted per RFC 4180 when needed; lines end in CRLF.
    public static func csv(_ t: ComparisonTable) -> String {
        var s = "method,instance,kind,model,metric,n,mean,ci_low,ci_high\r\n"
        for m in t.methods {
            for model in t.models {
                for metric in t.metrics {
                    guard let c = t.cell(method: m.run, model: model, metric: metric) else { continue }
                    let fields = [m.run, m.instance, m.kind, model, metric, "\(c.interval.count)",
                                  number(c.interval.mean), c.interval.lower.map(number) ?? "",
                                  c.interval.upper.map(number) ?? ""]
                    s += fields.map(csvField).joined(separator: ",") + "\r\n"
                }
            }
        }
        return s
    }

    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "" }

    /// Quotes a field containing a comma, quote or line break (quotes doubled). A leading
    /// `=`, `+`, `-` or `@` on a non-number gets a `'` so spreadsheets do not run it as a formula.
    public static func csvField(_ s: String) -> String {
        var f = s
        if let first = f.first, "=+-@".contains(first), Double(f) == nil { f = "'" + f }
        guard f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: HTML

    /// The table as an HTML `<section>` (escaped throughout), for the gallery pages.
    public static func htmlSection(_ t: ComparisonTable, title: String = "Comparison", id: String = "comparison") -> String {
        var h = HTMLBuilder()
        h.open("section", ["id": id, "class": "card"])
        h.element("h2", text: title)
        if t.isEmpty {
            h.element("p", ["class": "muted"], text: "No metrics in this run.")
            h.close("section")
            return h.output
        }
        h.element("p", ["class": "muted"], text: intro(t))
        if t.models.count == 1 { h.element("p", ["class": "small"], text: "Model: \(t.models[0])") }
        h.newline()
        let groups: [(String?, [String])] = t.models.count == 1 ? [(nil, t.metrics)] : t.metrics.map { ($0, [$0]) }
        for (metricTitle, metrics) in groups {
            if let metricTitle {
                h.element("h3", ["title": t.catalogue.metricInfo(metricTitle).summary], text: t.catalogue.metricInfo(metricTitle).heading)
            }
            h.open("div", ["class": "table-wrap"])
            h.open("table", ["class": "data compare"])
            h.open("thead")
            h.open("tr")
            h.element("th", text: "method")
            if metricTitle == nil {
                for m in metrics { h.element("th", ["title": t.catalogue.metricInfo(m).summary], text: t.catalogue.metricInfo(m).heading) }
            } else {
                for model in t.models { h.element("th", text: model) }
            }
            h.close("tr")
            h.close("thead")
            h.open("tbody")
            for m in t.methods {
                h.newline()
                h.open("tr")
                h.open("th", ["scope": "row"])
                h.text(m.run)
                h.close("th")
                let pairs: [(String, String)] = metricTitle == nil ? metrics.map { (t.models[0], $0) } : t.models.map { ($0, metrics[0]) }
                for (model, metric) in pairs { htmlCell(&h, t, m.run, model, metric) }
                h.close("tr")
            }
            h.close("tbody")
            h.close("table")
            h.close("div")
            h.newline()
        }
        h.close("section")
        return h.output
    }

    private static func htmlCell(_ h: inout HTMLBuilder, _ t: ComparisonTable, _ run: String, _ model: String, _ metric: String) {
        guard let c = t.cell(method: run, model: model, metric: metric) else {
            h.element("td", ["class": "num empty"], text: "–")
            return
        }
        let best = t.best(model: model, metric: metric).contains(run)
        h.open("td", ["class": best ? "num best" : "num", "title": "n = \(c.interval.count)"])
        h.element("span", ["class": "mean"], text: NumberFormat.short(c.interval.mean))
        if let lo = c.interval.lower, let hi = c.interval.upper {
            h.element("span", ["class": "ci"], text: "[\(NumberFormat.short(lo)), \(NumberFormat.short(hi))]")
        }
        h.close("td")
    }

    /// One forest plot per metric: methods down, the metric across, a dot and whisker per model.
    public static func intervalPlots(_ t: ComparisonTable) -> [SVGIntervalPlot] {
        t.metrics.map { metric in
            let rows = t.methods.map { m in
                (label: m.run, marks: t.models.enumerated().compactMap { i, model -> SVGIntervalPlot.Mark? in
                    guard let c = t.cell(method: m.run, model: model, metric: metric) else { return nil }
                    return SVGIntervalPlot.Mark(series: i, mean: c.interval.mean, lower: c.interval.lower, upper: c.interval.upper)
                })
            }.filter { !$0.marks.isEmpty }
            return SVGIntervalPlot(title: t.catalogue.metricInfo(metric).heading, xLabel: metric, series: t.models, rows: rows)
        }
    }

    /// The `compare.html` page: the comparison table with links back to the gallery and to the
    /// CSV and Markdown exports written next to it.
    public static func page(manifest: Manifest, table: ComparisonTable) -> String {
        var h = HTMLBuilder()
        Page.begin(&h, title: "\(manifest.name) · comparison", manifest: manifest, current: .compare)
        h.raw(htmlSection(table, title: "Methods × models × metrics"))
        h.newline()
        let plots = intervalPlots(table)
        if !plots.isEmpty {
            h.open("section", ["class": "card"])
            h.element("h2", text: "Means with 95% intervals")
            h.open("div", ["class": "plots"])
            for p in plots {
                h.raw(p.render())
                h.newline()
            }
            h.close("div")
            h.close("section")
            h.newline()
        }
        h.open("section", ["class": "card"])
        h.element("h2", text: "Downloads")
        h.open("p")
        h.element("a", ["href": Gallery.csvFile], text: Gallery.csvFile)
        h.text(" · ")
        h.element("a", ["href": Gallery.markdownFile], text: Gallery.markdownFile)
        h.close("p")
        h.close("section")
        Page.end(&h, manifest: manifest)
        return h.output
    }
}
