import Foundation

/// Output formats of `xai plan`.
public enum PlanFormat: String, CaseIterable, Sendable {
    case text, json, dot, mermaid
}

extension Plan {
    /// The plan in `format`; the same plan always gives the same text.
    public func render(_ format: PlanFormat) -> String {
        switch format {
        case .text: return renderText()
        case .json: return renderJSON()
        case .dot: return renderDOT()
        case .mermaid: return renderMermaid()
        }
    }

    /// Tasks grouped by kind with counts; each task with `cached` or `run` and the reason.
    public func renderText() -> String {
        let run = items.filter { $0.reason.willRun }.count
        let cached = items.filter { $0.reason == .cached }.count
        var out = "plan \(name): \(items.count) task\(items.count == 1 ? "" : "s"), \(cached) cached, \(run) to run\n"
        let counts = self.counts
        for kind in TaskKind.allCases {
            guard let c = counts[kind] else { continue }
            var parts = ["\(c.cached) cached", "\(c.run) to run"]
            if c.filtered > 0 { parts.append("\(c.filtered) not selected") }
            out += "\n\(kind.rawValue) (\(c.total)): \(parts.joined(separator: ", "))\n"
            for i in items.filter({ $0.task.kind == kind }).sorted(by: { $0.task.id < $1.task.id }) {
                let status = i.reason.willRun ? "run   " : (i.reason == .cached ? "cached" : "skip  ")
                let why = i.reason.willRun ? "  (\(i.reason.text))" : ""
                out += "  \(status)  \(i.task.id)\(why)\n"
            }
        }
        return out
    }

    struct JSONPlan: Encodable {
        struct Task: Encodable {
            var id: String
            var kind: String
            var key: String
            var status: String
            var reason: String
            var detail: String
            var params: [String: String]
            var dependencies: [String]
        }
        struct Count: Encodable {
            var total: Int, cached: Int, run: Int, filtered: Int
        }
        var name: String
        var counts: [String: Count]
        var tasks: [Task]
    }

    /// `{"name", "counts": {kind: {total, cached, run, filtered}}, "tasks": [...]}` with sorted keys.
    public func renderJSON() -> String {
        var counts = [String: JSONPlan.Count]()
        for (k, c) in self.counts {
            counts[k.rawValue] = .init(total: c.total, cached: c.cached, run: c.run, filtered: c.filtered)
        }
        let tasks = items.map { i in
            JSONPlan.Task(id: i.task.id, kind: i.task.kind.rawValue, key: i.task.key.hex,
                          status: i.reason.willRun ? "run" : (i.reason == .cached ? "cached" : "skip"),
                          reason: i.reason.code, detail: i.reason.text, params: i.task.params,
                          dependencies: i.task.dependencies)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(JSONPlan(name: name, counts: counts, tasks: tasks))) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A Graphviz digraph: tasks as boxes (green cached, orange to run), edges from dependencies.
    public func renderDOT() -> String {
        func q(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var out = "digraph \(q("plan " + name)) {\n  rankdir=LR;\n  node [shape=box, style=filled, fontname=\"Helvetica\"];\n"
        for i in items {
            let colour = i.reason.willRun ? "#fdd9a8" : (i.reason == .cached ? "#c8ecc8" : "#e6e6e6")
            out += "  \(q(i.task.id)) [label=\(q(i.task.id + "\n" + i.task.kind.rawValue + " - " + i.reason.text)), fillcolor=\(q(colour))];\n"
        }
        for i in items {
            for d in i.task.dependencies { out += "  \(q(d)) -> \(q(i.task.id));\n" }
        }
        return out + "}\n"
    }

    /// A Mermaid flowchart; nodes are numbered in topological order with the id as label.
    public func renderMermaid() -> String {
        var number = [String: Int]()
        for (n, i) in items.enumerated() { number[i.task.id] = n }
        func label(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "#amp;").replacingOccurrences(of: "\"", with: "#quot;")
                .replacingOccurrences(of: "<", with: "#lt;").replacingOccurrences(of: ">", with: "#gt;")
        }
        var out = "flowchart LR\n"
        for (n, i) in items.enumerated() {
            let cls = i.reason.willRun ? "run" : (i.reason == .cached ? "cached" : "skip")
            out += "  t\(n)[\"\(label(i.task.id))<br/>\(i.task.kind.rawValue): \(label(i.reason.text))\"]:::\(cls)\n"
        }
        for (n, i) in items.enumerated() {
            for d in i.task.dependencies { if let m = number[d] { out += "  t\(m) --> t\(n)\n" } }
        }
        out += "  classDef cached fill:#c8ecc8,stroke:#4a4\n"
        out += "  classDef run fill:#fdd9a8,stroke:#c80\n"
        out += "  classDef skip fill:#e6e6e6,stroke:#999\n"
        return out
    }
}
