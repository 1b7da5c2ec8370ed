import XAICore

extension Experiment {
    /// The fully resolved experiment as YAML (for `xai show`): every default written out,
    /// `extends:` and overrides applied, globs expanded, models inline. It is itself a valid
    /// experiment file that loads to the same runs; the runs and the output folder follow as
    /// comments. Deterministic: same experiment, same bytes.
    public func resolvedYAML() -> String {
        var w = YAMLWriter()
        w.comment("Resolved from \(file)" + (sourceFiles.count > 1 ? " (extends: \(sourceFiles.dropFirst().joined(separator: ", ")))" : ""))
        if !overrides.isEmpty { w.comment("Overrides: " + overrides.joined(separator: " ")) }
        w.line("schema: \(schema)")
        w.line("name: " + YAMLWriter.scalar(name))
        w.line("models:")
        for m in models {
            w.line("  - name: " + YAMLWriter.scalar(m.name))
            w.line("    path: " + YAMLWriter.scalar(m.path))
            if let h = m.sha256 { w.line("    sha256: " + YAMLWriter.scalar(h)) }
            if let f = m.labelsFile { w.line("    labels: " + YAMLWriter.scalar(f)) }
            if let l = m.labels { w.line("    labels: " + YAMLWriter.flow(.list(l.map { .string($0) }))) }
            let p = m.preprocess
            w.line("    preprocess: {resize: \(p.resize), crop: \(p.crop), "
                   + "mean: \(YAMLWriter.flow(.list(p.mean.map { .double($0) }))), std: \(YAMLWriter.flow(.list(p.std.map { .double($0) })))}")
            if let t = m.targetLayer { w.line("    target_layer: " + YAMLWriter.scalar(t)) }
        }
        w.line("images:")
        for i in images { w.line("  - " + YAMLWriter.scalar(i.path)) }
        switch target {
        case .predicted: w.line("target: predicted")
        case .index(let i): w.line("target: \(i)")
        case .label(let s): w.line("target: " + YAMLWriter.scalar(s))
        }
        w.line("top_k: \(topK)")
        w.line("seed: \(seed)")
        w.line("methods:")
        for m in methods {
            w.line("  \(YAMLWriter.scalar(m.name)):")
            if m.name != m.kind.rawValue { w.line("    method: \(m.kind.rawValue)") }
            for k in m.params.keys {
                if let v = m.params[k] { w.line("    \(k): " + YAMLWriter.flow(v)) }
            }
        }
        if !sweeps.isEmpty {
            w.line("sweep:")
            let single = sweeps.filter { $0.params.count == 1 }
            let zipped = sweeps.filter { $0.params.count > 1 }
            for a in single {
                w.line("  \(YAMLWriter.scalar(a.instance + "." + a.params[0])): " + YAMLWriter.flow(.list(a.points.map { $0[0] })))
            }
            if !zipped.isEmpty {
                w.line("  zip:")
                for a in zipped {
                    for (j, p) in a.params.enumerated() {
                        let lead = j == 0 ? "    - " : "      "
                        w.line(lead + YAMLWriter.scalar(a.instance + "." + p) + ": " + YAMLWriter.flow(.list(a.points.map { $0[j] })))
                    }
                }
            }
        }
        if !metrics.isEmpty {
            w.line("metrics:")
            for m in metrics {
                if m.params.keys.isEmpty {
                    w.line("  - \(m.kind.rawValue)")
                } else {
                    let body = m.params.keys.compactMap { k in m.params[k].map { "\(k): \(YAMLWriter.flow($0))" } }
                    w.line("  - \(m.kind.rawValue): {\(body.joined(separator: ", "))}")
                }
            }
        }
        if !annotations.isEmpty {
            w.line("annotations:")
            for a in annotations {
                var parts: [String] = []
                if !a.boxes.isEmpty {
                    let boxes = a.boxes.map { b in ParamValue.list([b.x0, b.y0, b.x1, b.y1].map { .double($0) }) }
                    parts.append("boxes: " + YAMLWriter.flow(.list(boxes)))
                }
                if let m = a.mask { parts.append("mask: " + YAMLWriter.scalar(m)) }
                w.line("  \(YAMLWriter.scalar(a.imageID)): {\(parts.joined(separator: ", "))}")
            }
        }
        w.comment("Output folder: \(outputDirectory)")
        w.comment("Runs (\(runs.count)):")
        for r in runs { w.comment("  \(r.id)") }
        return w.text
    }
}

/// A tiny deterministic YAML writer: block mappings and lists by hand, flow style for values,
/// strings quoted whenever a plain scalar could read back as something else.
struct YAMLWriter {
    private(set) var text = ""

    mutating func line(_ s: String) { text += s + "\n" }
    mutating func comment(_ s: String) { text += "# " + s + "\n" }

    /// A string as a YAML scalar: plain when it reads back as the same string, else double-quoted.
    static func scalar(_ s: String) -> String {
        let reserved: Set<String> = ["yes", "no", "on", "off", "y", "n", "null", "~", "true", "false"]
        let safe = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
                          || "_./+-".unicodeScalars.contains(c))
        }
        if safe, !reserved.contains(s.lowercased()), YAMLNode.typedScalar(s) == .string(s), !s.hasPrefix("-") {
            return s
        }
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7f {
                    out += "\\x" + String(c.value, radix: 16, uppercase: true).leftPadded(2)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// A parameter value in flow style: `16`, `0.25`, `true`, `gray`, `[8, 16]`.
    static func flow(_ v: ParamValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return scalar(s)
        case .list(let l): return "[" + l.map(flow).joined(separator: ", ") + "]"
        }
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: Swift.max(0, n - count)) + self }
}
