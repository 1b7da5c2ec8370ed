import Foundation
import XAICore

// `model:` / `models:`. Each entry is a card name (`efficientnet-lite0` -> Weights/<name>.yaml),
// a path to a card (.yaml), a path to an .onnx file (its sibling card `<stem>.yaml` gives the
// defaults when present, else torchvision's ImageNet preprocessing and ImageNet-1k's labels if it
// has 1000 outputs), or a
// mapping {name, card, path, sha256, labels, preprocess, target_layer} that starts from `card`
// (when given) and overrides its settings.
extension ExperimentBuilder {
    func readModels() -> [ModelSpec] {
        var nodes: [YAMLNode] = []
        let model = node("model"), models = node("models")
        if let model, let models {
            sink.error(models.location, "give either `model:` or `models:`, not both (`model:` is at line \(model.location.line))")
            return []
        }
        if let models {
            guard let items = models.items, !items.isEmpty else {
                sink.error(models.location, "`models` must be a non-empty list of models, got \(models.kindDescription)")
                return []
            }
            nodes = items
        } else if let model {
            nodes = [model]
        } else if top.allSatisfy({ ExperimentKeys.topLevel.contains($0.key) }) {
            nodes = [YAMLNode(value: .scalar(ExperimentLoader.defaultModel, plain: true), location: fileStart)]
        } else {
            return []  // an unknown top-level key (already reported) may be a misspelt `model:`
        }
        let topLayer = node("target_layer").flatMap { n -> (String, SourceLocation)? in
            guard let s = sink.string(n, "`target_layer`") else { return nil }
            return (s, n.location)
        }

        var out: [ModelSpec] = []
        var used = Set<String>()
        for n in nodes {
            guard var (spec, layerLoc) = resolveModel(n) else { continue }
            // Precedence: the model entry's own target_layer, then the top-level one, then the card's.
            let inlineLayer = n.entries?.contains { $0.key == "target_layer" } ?? false
            if !inlineLayer, let (layer, loc) = topLayer {
                spec.targetLayer = layer
                layerLoc = loc
            }
            spec.name = ExperimentBuilder.unique(spec.name, used: &used)
            locations["models.\(spec.name)"] = n.location
            if let layerLoc { locations["models.\(spec.name).target_layer"] = layerLoc }
            out.append(spec)
        }
        return out
    }

    /// `name`, or `name-2`, `name-3`, ... whichever is not in `used` yet; records the result.
    static func unique(_ name: String, used: inout Set<String>) -> String {
        var candidate = name, k = 2
        while used.contains(candidate) {
            candidate = "\(name)-\(k)"
            k += 1
        }
        used.insert(candidate)
        return candidate
    }

    /// The spec and where its target layer was set (nil when unset).
    private func resolveModel(_ n: YAMLNode) -> (ModelSpec, SourceLocation?)? {
        if let s = n.text {
            return fromReference(s, at: n.location)
        }
        guard let entries = sink.mapping(n, "a model", allowed: ExperimentKeys.inlineModel) else { return nil }
        func value(_ k: String) -> YAMLNode? { entries.first { $0.key == k }?.value }
        let before = sink.items.count
        var spec: ModelSpec?
        var layerLoc: SourceLocation?
        if let c = value("card"), let ref = sink.string(c, "`card`") {
            if let (s, l) = fromReference(ref, at: c.location) {
                spec = s
                layerLoc = l
            }
            if let p = value("path"), let ps = sink.string(p, "`path`"), let s = spec {
                spec?.path = resolve(ps)
                spec?.sha256 = nil
                checkModelFile(spec?.path ?? s.path, at: p.location)
            }
        } else if let p = value("path"), let ps = sink.string(p, "`path`") {
            if let (s, l) = fromReference(ps, at: p.location), ps.lowercased().hasSuffix(".onnx") {
                spec = s
                layerLoc = l
            } else if !ps.lowercased().hasSuffix(".onnx") {
                sink.error(p.location, "`path` must be an .onnx file, got '\(ps)' (use `card:` for a model card)")
            }
        } else if value("card") == nil && value("path") == nil {
            sink.error(n.location, "an inline model needs `path:` (an .onnx file) or `card:` (a model card)")
        }
        guard var spec, sink.items.count == before else { return nil }
        if let nm = value("name"), let s = sink.name(nm, "a model `name`") { spec.name = s }
        if let h = value("sha256"), let s = sink.string(h, "`sha256`") {
            if s.count == 64, s.allSatisfy({ $0.isHexDigit }) { spec.sha256 = s.lowercased() } else {
                sink.error(h.location, "`sha256` must be 64 hexadecimal digits")
            }
        }
        if let l = value("labels") {
            let (file, names) = ModelCard.readLabels(l, relativeTo: baseDirectory, sink: sink)
            spec.labelsFile = file
            spec.labels = names
            spec.defaultLabelsFile = nil
        }
        if let p = value("preprocess"),
           let pre = ModelCard.readPreprocess(p, base: spec.preprocess, inputSize: nil, channels: spec.channels, sink: sink) {
            spec.preprocess = pre
        }
        if let t = value("target_layer"), let s = sink.string(t, "`target_layer`") {
            spec.targetLayer = s
            layerLoc = t.location
        }
        return (spec, layerLoc)
    }

    private func checkModelFile(_ path: String, at loc: SourceLocation) {
        sink.requireRegularFile(path, "model file", at: loc)
    }

    /// A card name, a card path or an .onnx path.
    private func fromReference(_ ref: String, at loc: SourceLocation) -> (ModelSpec, SourceLocation?)? {
        let lower = ref.lowercased()
        if lower.hasSuffix(".onnx") {
            let path = resolve(ref)
            guard sink.requireRegularFile(path, "model file", at: loc) else { return nil }
            let sibling = PathUtil.deletingExtension(path) + ".yaml"
            if PathUtil.isFile(sibling), let card = ModelCard.parse(path: sibling, sink: sink, referencedAt: loc) {
                var spec = ModelSpec(card: card)
                spec.path = path
                if card.file != path { spec.sha256 = nil }
                return (spec, card.targetLayer == nil ? nil : card.targetLayerLocation)
            }
            return (ModelSpec(bareModel: path, weightsDirectory: weightsDirectory), nil)
        }
        let cardPath: String
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            cardPath = resolve(ref)
        } else {
            guard !ref.contains("/"), !ref.contains("\\"), !ref.isEmpty else {
                sink.error(loc, "'\(ref)' is neither a model card name, a .yaml card nor an .onnx file")
                return nil
            }
            cardPath = PathUtil.join(weightsDirectory, ref + ".yaml")
            guard PathUtil.isFile(cardPath) else {
                let known = ((try? FileManager.default.contentsOfDirectory(atPath: weightsDirectory)) ?? [])
                    .filter { $0.hasSuffix(".yaml") }.map { PathUtil.stem($0) }.sorted()
                sink.error(loc, "unknown model '\(ref)': no model card '\(cardPath)'" + didYouMean(ref, known)
                           + (known.isEmpty ? "" : " (cards: \(known.joined(separator: ", ")))"))
                return nil
            }
        }
        guard let card = ModelCard.parse(path: cardPath, sink: sink, referencedAt: loc) else { return nil }
        return (ModelSpec(card: card), card.targetLayer == nil ? nil : card.targetLayerLocation)
    }
}
