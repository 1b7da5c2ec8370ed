import Foundation
import XAIManifest
import XAIReport

extension RunDiff {
    public static let jsonFile = "diff.json"
    public static let csvFile = "diff.csv"
    public static let htmlFile = "diff.html"

    /// Writes `diff.json`, `diff.csv` and `diff.html` into `folder` (the pair pictures are
    /// already there, from `compute`).
    public func write(to folder: URL) throws {
        try AtomicFile.write(json(), to: folder.appendingPathComponent(Self.jsonFile))
        try AtomicFile.write(Data(csv().utf8), to: folder.appendingPathComponent(Self.csvFile))
        try AtomicFile.write(Data(DiffPage.html(self).utf8), to: folder.appendingPathComponent(Self.htmlFile))
    }

    /// Sorted keys, so equal diffs give equal bytes.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw OutputError.invalidValue(context: "diff \(folderName)", detail: "\(error)")
        }
    }

    /// Metric ids present in any pair, sorted.
    var metricIDs: [String] {
        Set(pairs.flatMap(\.metrics.keys)).sorted()
    }

    /// One row per pair: the map comparison, then A, B and the delta of each metric; empty
    /// cells where a value is absent.
    public func csv() -> String {
        let ids = metricIDs
        var header = ["image", "model_a", "model_b", "run", "method", "rank", "spearman", "iou_top\(Self.number(topK))pct"]
        for id in ids { header += ["\(id) a", "\(id) b", "\(id) delta"] }
        header.append("note")
        var lines = [header]
        for p in pairs {
            var row = [p.image, p.modelA, p.modelB, p.run, p.method, String(p.rank),
                       p.spearman.map(Self.number) ?? "", p.iou.map(Self.number) ?? ""]
            for id in ids {
                let m = p.metrics[id]
                row += [m.map { Self.number($0.a) } ?? "", m.map { Self.number($0.b) } ?? "",
                        m.map { Self.number($0.delta) } ?? ""]
            }
            row.append(p.note ?? "")
            lines.append(row)
        }
        return lines.map { $0.map(ComparisonReport.csvField).joined(separator: ",") + "\r\n" }.joined()
    }

    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "" }
}
