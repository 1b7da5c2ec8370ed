import Foundation
import XAIReport

/// `diff.html`: a self-contained page (no scripts, nothing loaded from the network) with the two
/// runs, the per-method summaries and each pair's overlays beside their difference map. Every
/// text goes through `HTML.escape` and every picture path through `HTML.relativeURL`, so names
/// from experiments cannot become markup.
enum DiffPage {
    static func html(_ d: RunDiff) -> String {
        var s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        s += "<title>" + e("xai diff \(d.a.run) .. \(d.b.run)") + "</title><style>" + style + "</style></head><body>\n"
        s += "<h1>" + e("\(d.a.experiment) \(d.a.run) → \(d.b.experiment) \(d.b.run)") + "</h1>\n"
        s += table(["", "run", "experiment", "content hash", "git", "overrides"], [side("A", d.a), side("B", d.b)])
        s += "<h2>Summary over images</h2>\n<p>" + e(
            "Means with 95% bootstrap intervals (seed \(d.seed)). spearman: rank correlation of the two maps; "
            + "iou: overlap of their top \(RunDiff.number(d.topK))% regions; delta: B − A.") + "</p>\n"
        s += table(["method run", "quantity", "mean", "95% interval", "images"], d.summaries.map { m in
            [m.run, m.quantity, number(m.mean),
             m.lower.flatMap { lo in m.upper.map { "[\(number(lo)), \(number($0))]" } } ?? "", String(m.count)]
        })
        s += "<h2>Pairs</h2>\n<p>" + e("Difference: B / max|B| − A / max|A|, blue where B is lower, red where "
                                       + "it is higher, clipped at ±1.") + "</p>\n"
        for p in d.pairs { s += pair(p) }
        if !d.unmatched.isEmpty {
            s += "<h2>Without a partner</h2>\n<ul>" + d.unmatched.map { "<li>" + e($0) + "</li>" }.joined() + "</ul>\n"
        }
        return s + "</body></html>\n"
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0}\
        td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}section{margin:1em 0;padding-top:.5em;\
        border-top:1px solid #ddd}figure{display:inline-block;margin:0 .5em .5em 0;text-align:center}\
        img{width:224px;height:224px;image-rendering:pixelated;border:1px solid #ccc}.note{color:#a40}
        """

    private static func side(_ label: String, _ s: RunDiff.Side) -> [String] {
        [label, s.run, s.experiment, String(s.experimentHash.prefix(12)), s.gitRevision.map { String($0.prefix(12)) + (s.gitDirty == true ? " (dirty)" : "") } ?? "",
         s.overrides.joined(separator: " ")]
    }

    private static func pair(_ p: RunDiff.Pair) -> String {
        let model = p.modelA == p.modelB ? p.modelA : "\(p.modelA) → \(p.modelB)"
        var s = "<section><h3>" + e("\(p.image) · \(p.run)" + (p.rank > 1 ? " #\(p.rank)" : "") + " · \(model)") + "</h3>\n"
        var stats = [String]()
        if let r = p.spearman { stats.append("spearman \(number(r))") }
        if let i = p.iou { stats.append("iou \(number(i))") }
        if !stats.isEmpty { s += "<p>" + e(stats.joined(separator: " · ")) + "</p>\n" }
        if let note = p.note { s += "<p class=\"note\">" + e(note) + "</p>\n" }
        if let pics = p.pictures {
            s += figure(pics.overlayA, "A") + figure(pics.overlayB, "B") + figure(pics.difference, "B − A") + "\n"
        }
        if !p.metrics.isEmpty {
            s += table(["metric", "A", "B", "delta"], p.metrics.keys.sorted().map { id in
                let m = p.metrics[id]!
                return [id, number(m.a), number(m.b), number(m.delta)]
            })
        }
        return s + "</section>\n"
    }

    private static func figure(_ path: String?, _ caption: String) -> String {
        guard let url = path.flatMap(HTML.relativeURL) else {
            return "<figure><p>" + e("no overlay") + "</p><figcaption>" + e(caption) + "</figcaption></figure>"
        }
        return "<figure><img src=\"" + e(url) + "\" alt=\"" + e(caption) + "\"><figcaption>" + e(caption)
            + "</figcaption></figure>"
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>" + e($0) + "</th>" }.joined() + "</tr>\n"
            + rows.map { "<tr>" + $0.map { "<td>" + e($0) + "</td>" }.joined() + "</tr>\n" }.joined() + "</table>\n"
    }

    private static func number(_ v: Double) -> String { NumberFormat.short(v) }
    private static func e(_ s: String) -> String { HTML.escape(s) }
}
