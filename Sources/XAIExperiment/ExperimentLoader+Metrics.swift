import Foundation
import XAICore

// `metrics:` — a list of names or `{NAME: {params}}`, or a mapping NAME: params.
// `annotations:` — IMAGE: {boxes: [[x0, y0, x1, y1], ...], mask: FILE.png}, IMAGE being an
// image id (file stem), its path or its file name; `IMAGE: [[x0, y0, x1, y1]]` is short for boxes.
extension ExperimentBuilder {
    func readMetrics(hasAnnotations: Bool) -> [MetricSpec] {
        guard let n = node("metrics"), !n.isNull else { return [] }
        var pairs: [(name: String, at: SourceLocation, body: YAMLNode?)] = []
        if let entries = n.entries {
            pairs = entries.map { ($0.key, $0.keyLocation, $0.value) }
        } else if let items = n.items {
            for i in items {
                if let s = i.text {
                    pairs.append((s, i.location, nil))
                } else if let e = i.entries, e.count == 1 {
                    pairs.append((e[0].key, e[0].keyLocation, e[0].value))
                } else {
                    sink.error(i.location, "each metric must be a name or `NAME: {parameters}`")
                }
            }
        } else {
            sink.error(n.location, "`metrics` must be a list of metric names, got \(n.kindDescription)")
            return []
        }
        let names = catalogue.metrics.map(\.kind.rawValue)
        var parsed: [(MetricDescriptor, ResolvedParams, SourceLocation)] = []
        for p in pairs {
            guard let kind = catalogue.metric(named: p.name) else {
                sink.error(p.at, "unknown metric '\(p.name)'" + didYouMean(p.name, names) + " (metrics: \(names.joined(separator: ", ")))")
                continue
            }
            let specs = kind.parameters
            var given: [String: ParamValue] = [:]
            if let body = p.body, let entries = sink.mapping(body, "the parameters of metric \(p.name)") {
                for e in entries {
                    guard let spec = specs.first(where: { $0.name == e.key }) else {
                        let list = specs.isEmpty ? "it takes none" : "parameters: " + specs.map(\.name).joined(separator: ", ")
                        sink.error(e.keyLocation, "unknown parameter '\(e.key)' for metric \(p.name)"
                                   + didYouMean(e.key, specs.map(\.name)) + " (\(list))")
                        continue
                    }
                    if let v = normalize(e.value, spec, what: "\(p.name).\(e.key)") { given[e.key] = v }
                }
            }
            applyDefaultPrecision(specs, to: &given, at: "metrics.\(p.name)")
            let params = ResolvedParams(specs: specs, given: given)
            if let twin = parsed.first(where: { $0.0 == kind && $0.1 == params }) {
                sink.error(p.at, "metric \(p.name) is listed twice with the same parameters (first at line \(twin.2.line))")
                continue
            }
            if kind.needsAnnotations && !hasAnnotations {
                sink.error(p.at, "metric \(p.name) needs ground truth: add `annotations:` with boxes or masks for the images")
            }
            parsed.append((kind, params, p.at))
        }
        return parsed.map { kind, params, at in
            var id = kind.kind.rawValue
            if parsed.filter({ $0.0 == kind }).count > 1 {
                let changed = kind.parameters.filter { params[$0.name] != $0.defaultValue }.map(\.name)
                if !changed.isEmpty { id += "@" + params.canonicalString(keys: changed) }
            }
            locations["metrics.\(id)"] = at
            return MetricSpec(id: id, descriptor: kind, params: params)
        }
    }

    func readAnnotations(images: [ImageSpec]) -> [Annotation] {
        guard let n = node("annotations"), !n.isNull, let entries = sink.mapping(n, "`annotations`") else { return [] }
        var out: [String: Annotation] = [:]
        for e in entries {
            let ref = PathUtil.normalize(resolve(e.key))
            guard let image = images.first(where: { $0.id == e.key })
                    ?? images.first(where: { PathUtil.normalize($0.path) == ref })
                    ?? images.first(where: { PathUtil.lastComponent($0.path) == e.key }) else {
                sink.error(e.keyLocation, "annotation for unknown image '\(e.key)'" + didYouMean(e.key, images.map(\.id))
                           + " (give an image id, path or file name from `images:`)")
                continue
            }
            if out[image.id] != nil {
                sink.error(e.keyLocation, "image '\(image.id)' is annotated twice")
                continue
            }
            var boxesNode: YAMLNode?, maskNode: YAMLNode?
            if e.value.items != nil {
                boxesNode = e.value
            } else if let fields = sink.mapping(e.value, "the annotation of '\(e.key)'", allowed: ExperimentKeys.annotation) {
                boxesNode = fields.first { $0.key == "boxes" }?.value
                maskNode = fields.first { $0.key == "mask" }?.value
            } else { continue }
            if boxesNode == nil && maskNode == nil {
                sink.error(e.value.location, "the annotation of '\(e.key)' needs `boxes:` or `mask:`")
                continue
            }
            var boxes: [BoundingBox] = []
            if let b = boxesNode { boxes = readBoxes(b) }
            var mask: String?
            if let m = maskNode, let s = sink.string(m, "`mask`") {
                let p = resolve(s)
                if sink.requireRegularFile(p, "mask file", shown: s, at: m.location), !p.lowercased().hasSuffix(".png") {
                    sink.error(m.location, "a mask must be a PNG file, got '\(s)'")
                }
                mask = p
            }
            locations["annotations.\(image.id)"] = e.keyLocation
            out[image.id] = Annotation(imageID: image.id, boxes: boxes, mask: mask)
        }
        return out.keys.sorted().compactMap { out[$0] }
    }

    /// One box [x0, y0, x1, y1] or a list of boxes.
    private func readBoxes(_ node: YAMLNode) -> [BoundingBox] {
        guard let items = node.items, !items.isEmpty else {
            sink.error(node.location, "`boxes` must be [x0, y0, x1, y1] or a list of such boxes, got \(node.kindDescription)")
            return []
        }
        let list = items.allSatisfy({ $0.items != nil }) ? items : [node]
        var out: [BoundingBox] = []
        for b in list {
            guard let v = sink.doubles(b, "a box [x0, y0, x1, y1]", count: 4, range: .nonNegative) else { continue }
            guard v[2] > v[0], v[3] > v[1] else {
                sink.error(b.location, "a box [x0, y0, x1, y1] needs x1 > x0 and y1 > y0 (original-image pixels), got [\(v.map { $0.description }.joined(separator: ", "))]")
                continue
            }
            out.append(BoundingBox(x0: v[0], y0: v[1], x1: v[2], y1: v[3]))
        }
        return out
    }

    /// `target:` and activation maximisation's `class:` labels must exist in every model's labels
    /// (for a bare .onnx, ImageNet-1k's default ones, which it gets if it has 1000 outputs).
    func checkClassNames(models: [ModelSpec], runs: [MethodRun]) {
        var cache: [String: [String]?] = [:]
        func labels(_ m: ModelSpec) -> [String]? {
            if let c = cache[m.name] { return c }
            let l = (try? m.loadLabelsOrDefault()) ?? nil
            cache[m.name] = l
            return l
        }
        func check(_ value: ParamValue, at loc: SourceLocation, what: String) {
            for m in models {
                let names = labels(m)
                switch value {
                case .int(let i):
                    // The default labels do not tell the class count: the runner checks the index.
                    if let names, m.defaultLabelsFile == nil, i >= names.count {
                        sink.error(loc, "\(what) class index \(i) is out of range: model '\(m.name)' has \(names.count) classes")
                    }
                case .string(let s):
                    guard let names else {
                        sink.error(loc, "\(what) label '\(s)' cannot be looked up: model '\(m.name)' has no labels (use a class index)")
                        continue
                    }
                    if !names.contains(s) {
                        let whose = m.defaultLabelsFile == nil ? "" : " (it has no labels; ImageNet-1k's apply if it has 1000 outputs)"
                        sink.error(loc, "\(what) label '\(s)' is not a class of model '\(m.name)'\(whose)" + didYouMean(s, names))
                    }
                default: break
                }
            }
        }
        if let t = node("target") {
            switch t.paramValue {
            case .int(let i)? where i >= 0: check(.int(i), at: t.location, what: "`target`")
            case .string(let s)? where s != "predicted": check(.string(s), at: t.location, what: "`target`")
            default: break
            }
        }
        var done = Set<String>()
        for run in runs {
            guard let key = run.descriptor.classParameter, let c = run.params[key], c != .string("target"),
                  done.insert(run.instance + "=" + c.description).inserted else { continue }
            let loc = locations["sweep.\(run.instance).\(key)"] ?? locations["methods.\(run.instance).\(key)"] ?? fileStart
            check(c, at: loc, what: "\(run.instance).\(key)")
        }
    }
}
