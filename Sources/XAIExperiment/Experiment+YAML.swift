import XAICore
import Yams

extension Experiment {
    /// The fully resolved experiment as YAML (for `xai show`): every default written out,
    /// `extends:` and overrides applied, globs expanded, models inline. It is itself a valid
    /// experiment file that loads to the same runs; the runs and the output folder follow as
    /// comments. Deterministic: same experiment, same bytes.
    public func resolvedYAML() throws -> String {
        var head = ["Resolved from \(file)" + (sourceFiles.count > 1 ? " (extends: \(sourceFiles.dropFirst().joined(separator: ", ")))" : "")]
        if !overrides.isEmpty { head.append("Overrides: " + overrides.joined(separator: " ")) }
        let tail = ["Output folder: \(outputDirectory)", "Runs (\(runs.count)):"] + runs.map { "  \($0.id)" }
        // Unlimited width: long flow lists (labels, sweeps) stay on one line.
        let body = try Yams.serialize(node: document, width: -1, allowUnicode: true)
        return head.map { "# \($0)\n" }.joined() + body + tail.map { "# \($0)\n" }.joined()
    }

    /// The experiment as one block mapping, in the order of the experiment file format.
    private var document: Node {
        var root: [(String, Node)] = [
            ("schema", .int(schema)),
            ("name", .text(name)),
            ("models", Node(models.map(\.node), Tag(.seq), .block)),
            ("images", Node(images.map { .text($0.path) }, Tag(.seq), .block)),
            ("target", target.node),
            ("top_k", .int(topK)),
            ("seed", .int(seed)),
            ("methods", .block(methods.map { m in
                let kind: [(String, Node)] = m.name != m.kind.rawValue ? [("method", .text(m.kind.rawValue))] : []
                let params = m.params.keys.compactMap { k in m.params[k].map { (k, Node.param($0)) } }
                return (m.name, kind.isEmpty && params.isEmpty ? .flow([]) : .block(kind + params))
            })),
        ]
        if maxTasks != TaskBudget.defaultLimit { root.append(("max_tasks", .int(maxTasks))) }
        if !sweeps.isEmpty {
            var sweep: [(String, Node)] = sweeps.filter { $0.params.count == 1 }.map { a in
                (a.instance + "." + a.params[0], .param(.list(a.points.map { $0[0] })))
            }
            let zipped = sweeps.filter { $0.params.count > 1 }.map { a in
                Node.block(a.params.enumerated().map { j, p in (a.instance + "." + p, .param(.list(a.points.map { $0[j] }))) })
            }
            if !zipped.isEmpty { sweep.append(("zip", Node(zipped, Tag(.seq), .block))) }
            root.append(("sweep", .block(sweep)))
        }
        if !metrics.isEmpty {
            root.append(("metrics", Node(metrics.map { m in
                m.params.keys.isEmpty ? .text(m.kind.rawValue)
                    : .block([(m.kind.rawValue, .flow(m.params.keys.compactMap { k in m.params[k].map { (k, .param($0)) } }))])
            }, Tag(.seq), .block)))
        }
        if !annotations.isEmpty {
            root.append(("annotations", .block(annotations.map { a in
                var parts: [(String, Node)] = []
                if !a.boxes.isEmpty {
                    parts.append(("boxes", .param(.list(a.boxes.map { b in .list([b.x0, b.y0, b.x1, b.y1].map { .double($0) }) }))))
                }
                if let m = a.mask { parts.append(("mask", .text(m))) }
                return (a.imageID, .flow(parts))
            })))
        }
        return .block(root)
    }
}

private extension ModelSpec {
    var node: Node {
        var fields: [(String, Node)] = [("name", .text(name)), ("path", .text(path))]
        if let h = sha256 { fields.append(("sha256", .text(h))) }
        if let f = labelsFile { fields.append(("labels", .text(f))) }
        if let l = labels { fields.append(("labels", .param(.list(l.map { .string($0) })))) }
        let p = preprocess
        // A size still to come from the model is not written, so that reading it back keeps it so.
        var geometry: [(String, Node)] = []
        if let fit = p.fit {
            geometry = [("crop", .text(PreprocessSpec.wholeImage)), ("fit", .text(fit.rawValue))]
        } else if p.sizeFromModel != true {
            geometry = [("resize", .int(p.resize)), ("crop", .int(p.crop))]
        }
        fields.append(("preprocess", .flow(geometry + [("mean", .param(.list(p.mean.map { .double($0) }))),
                                                       ("std", .param(.list(p.std.map { .double($0) })))])))
        if let t = targetLayer { fields.append(("target_layer", .text(t))) }
        return .block(fields)
    }
}

private extension TargetSpec {
    var node: Node {
        switch self {
        case .predicted: return .text("predicted")
        case .index(let i): return .int(i)
        case .label(let s): return .text(s)
        }
    }
}

extension Node {
    /// A string that reads back as the same string: plain where both this project's reader
    /// (`YAMLNode.typedScalar`) and a YAML 1.1 resolver (yes/no, null, ~, ...) take it for text,
    /// double-quoted (with escapes) when it would not or holds control characters. The emitter
    /// itself quotes what plain syntax cannot hold (`a: b`).
    static func text(_ s: String) -> Node {
        let plain = YAMLNode.typedScalar(s) == .string(s) && Resolver.default.resolveTag(of: Node(s)) == .str
            && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        return Node(s, Tag(.str), plain ? .any : .doubleQuoted)
    }

    static func int<I: BinaryInteger>(_ i: I) -> Node { Node(String(i), Tag(.int), .plain) }

    /// A parameter value; lists in flow style: `16`, `0.25`, `true`, `gray`, `[8, 16]`.
    static func param(_ v: ParamValue) -> Node {
        switch v {
        case .int(let i): return .int(i)
        case .double(let d): return Node(d.description, Tag(.float), .plain)
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool), .plain)
        case .string(let s): return .text(s)
        case .list(let l): return Node(l.map(param), Tag(.seq), .flow)
        }
    }

    static func block(_ pairs: [(String, Node)]) -> Node { Node(pairs.map { (.text($0.0), $0.1) }, Tag(.map), .block) }
    static func flow(_ pairs: [(String, Node)]) -> Node { Node(pairs.map { (.text($0.0), $0.1) }, Tag(.map), .flow) }
}
