import Foundation
import XAICore

/// A model card: `Weights/<name>.yaml`, describing a model file and how to feed it.
///
/// ```yaml
/// name: efficientnet-lite0
/// file: efficientnet-lite0.onnx          # relative to the card's folder
/// sha256: 0123...                        # 64 hex digits
/// labels: imagenet-classes.txt           # one label per line (relative to the card), or a list
/// input: {size: [224, 224], channels: 3}
/// preprocess: {resize: 256, crop: 224, mean: [0.498, 0.498, 0.498], std: [0.502, 0.502, 0.502]}
/// target_layer: head
/// source: https://...
/// license: Apache-2.0
/// description: ...
/// ```
/// `crop` (one side of a square) defaults to a square `input.size`, `resize` to the crop; a
/// non-square `input.size` without `crop` takes the whole picture (`crop: none`, letterboxed);
/// `mean` and `std` are required.
public struct ModelCard: Codable, Sendable, Hashable {
    public var name: String
    /// The card file itself.
    public var cardPath: String
    /// The model file, resolved against the card's folder.
    public var file: String
    public var sha256: String?
    /// A labels file (one per line), resolved against the card's folder.
    public var labelsFile: String?
    /// Labels written in the card itself.
    public var labels: [String]?
    public var inputSize: [Int]
    public var channels: Int
    public var preprocess: PreprocessSpec
    public var targetLayer: String?
    public var source: String?
    public var license: String?
    public var description: String?
    /// Where `target_layer` was written in the card (for "unknown target layer" errors).
    public var targetLayerLocation: SourceLocation?

    /// Loads `<weightsDirectory>/<name>.yaml`.
    public static func load(name: String, weightsDirectory: String = "Weights") throws -> ModelCard {
        try load(path: PathUtil.join(weightsDirectory, name + ".yaml"))
    }

    /// Loads a card file. Throws `ExperimentError.invalid` with every problem found.
    public static func load(path: String) throws -> ModelCard {
        let sink = DiagnosticSink()
        let card = parse(path: path, sink: sink, referencedAt: nil)
        try sink.throwIfAny()
        guard let card else { throw ExperimentError.invalid([ExperimentDiagnostic(SourceLocation(file: path, line: 1, column: 1), "cannot read model card")]) }
        return card
    }

    static func parse(path: String, sink: DiagnosticSink, referencedAt: SourceLocation?) -> ModelCard? {
        let fileLoc = SourceLocation(file: path, line: 1, column: 1)
        guard let text = DocumentLoader.readText(path, sink: sink, reportAt: referencedAt) else { return nil }
        guard let root = YAMLNode.parse(text, file: path, sink: sink) else {
            sink.error(fileLoc, "the model card is empty")
            return nil
        }
        let before = sink.items.count
        guard let entries = sink.mapping(root, "a model card", allowed: ExperimentKeys.card) else { return nil }
        let dir = PathUtil.parent(path)
        func node(_ k: String) -> YAMLNode? { entries.first { $0.key == k }?.value }
        func optionalString(_ k: String) -> String? { node(k).flatMap { sink.string($0, "`\(k)`") } }

        let name: String
        if let n = node("name") {
            name = sink.name(n, "the model card's `name`") ?? ""
        } else {
            name = sink.checkedName(PathUtil.stem(path), "the model card has no `name:` and its file name", at: fileLoc) ?? ""
        }
        var file = ""
        if let f = node("file") {
            if let s = sink.string(f, "`file`") {
                file = PathUtil.join(dir, s)
                sink.requireRegularFile(file, "model file", at: f.location)
            }
        } else {
            sink.error(root.location, "a model card needs `file:` (the .onnx file, relative to the card)")
        }
        let sha = node("sha256").flatMap { n -> String? in
            guard let s = sink.string(n, "`sha256`") else { return nil }
            guard s.count == 64, s.allSatisfy({ $0.isHexDigit }) else {
                sink.error(n.location, "`sha256` must be 64 hexadecimal digits")
                return nil
            }
            return s.lowercased()
        }
        var labelsFile: String?, labels: [String]?
        if let l = node("labels") {
            (labelsFile, labels) = readLabels(l, relativeTo: dir, sink: sink)
        }
        var inputSize: [Int]?, channels = 3
        if let inNode = node("input"), let ie = sink.mapping(inNode, "`input`", allowed: ExperimentKeys.cardInput) {
            for e in ie {
                if e.key == "size" { inputSize = sink.sizePair(e.value, "`input.size`") }
                if e.key == "channels", let c = sink.int(e.value, "`input.channels`", min: 1, max: 64) { channels = c }
            }
        }
        var preprocess: PreprocessSpec?
        if let p = node("preprocess") {
            preprocess = readPreprocess(p, base: nil, inputSize: inputSize, channels: channels, sink: sink)
        } else {
            sink.error(root.location, "a model card needs `preprocess:` with resize, crop, mean and std")
        }
        let tl = node("target_layer")
        let targetLayer = tl.flatMap { sink.string($0, "`target_layer`") }
        guard sink.items.count == before, let preprocess else { return nil }
        return ModelCard(name: name, cardPath: path, file: file, sha256: sha, labelsFile: labelsFile, labels: labels,
                         inputSize: inputSize ?? preprocess.inputSize, channels: channels, preprocess: preprocess,
                         targetLayer: targetLayer, source: optionalString("source"), license: optionalString("license"),
                         description: optionalString("description"), targetLayerLocation: tl?.location)
    }

    /// `labels:` as a file path (checked to exist) or an inline list of names.
    static func readLabels(_ node: YAMLNode, relativeTo dir: String?, sink: DiagnosticSink) -> (String?, [String]?) {
        if let items = node.items {
            let names = items.compactMap { sink.string($0, "a label") }
            if names.isEmpty { sink.error(node.location, "`labels` must not be empty") }
            return (nil, names)
        }
        guard let s = sink.string(node, "`labels`") else { return (nil, nil) }
        let p = PathUtil.join(dir, s)
        sink.requireRegularFile(p, "labels file", at: node.location)
        return (p, nil)
    }

    /// `preprocess:`; keys missing here come from `base` (a card's values) when given.
    /// `inputSize` is the card's `input.size`: a centre crop must be that square; a whole
    /// picture (`crop: none`) is fitted to it.
    static func readPreprocess(_ node: YAMLNode, base: PreprocessSpec?, inputSize: [Int]?, channels: Int,
                               sink: DiagnosticSink) -> PreprocessSpec? {
        guard let entries = sink.mapping(node, "`preprocess`", allowed: ExperimentKeys.preprocess) else { return nil }
        func value(_ k: String) -> YAMLNode? { entries.first { $0.key == k }?.value }
        let before = sink.items.count
        var crop = base?.crop, fit = base?.fit, size = base?.size ?? inputSize
        let stated = value("crop") != nil || value("resize") != nil
        if let c = value("crop") {
            if c.text == PreprocessSpec.wholeImage {
                fit = fit ?? .standard
            } else if let n = sink.int(c, "`preprocess.crop` (a size, or `\(PreprocessSpec.wholeImage)`)", min: 1, max: 16384) {
                crop = n
                fit = nil
            }
        }
        if let f = value("fit"), let name = sink.string(f, "`preprocess.fit`") {
            if let parsed = ImageFit(rawValue: name) {
                if fit == nil && value("crop") != nil {
                    sink.error(f.location, "`preprocess.fit` applies to `crop: \(PreprocessSpec.wholeImage)` (the whole picture); "
                               + "a centre crop has nothing to fit")
                }
                fit = parsed
            } else {
                sink.error(f.location, "`preprocess.fit` must be one of \(ImageFit.allCases.map(\.rawValue).joined(separator: ", ")), "
                           + "got '\(name)'" + didYouMean(name, ImageFit.allCases.map(\.rawValue)))
            }
        }
        if crop == nil, fit == nil, let s = inputSize {
            // A non-square input has no square crop: the whole picture, letterboxed.
            if s[0] == s[1] { crop = s[0] } else { fit = .standard }
        }
        if fit != nil, let r = value("resize") {
            sink.error(r.location, "`preprocess.resize` applies to a centre crop; with `crop: \(PreprocessSpec.wholeImage)` "
                       + "the whole picture is resized to the input size")
        }
        if fit == nil, let c = crop, let s = inputSize, s != [c, c] {
            sink.error(value("crop")?.location ?? node.location,
                       "`preprocess.crop` \(c) does not match the input size \(s[0])x\(s[1]): a centre crop gives a \(c)x\(c) input; "
                       + "set `crop: \(s[0] == s[1] ? String(s[0]) : PreprocessSpec.wholeImage)`")
        }
        let resize = value("resize").flatMap { sink.int($0, "`preprocess.resize`", min: 1, max: 16384) }
            ?? (base?.fit == nil && fit == nil ? base?.resize : nil) ?? crop
        let mean = value("mean").flatMap { sink.doubles($0, "`preprocess.mean`", count: channels) } ?? base?.mean
        let std = value("std").flatMap {
            sink.doubles($0, "`preprocess.std`", count: channels, range: .positive)
        } ?? base?.std
        guard sink.items.count == before else { return nil }
        var missing: [String] = []
        if crop == nil && fit == nil { missing.append("crop") }
        if mean == nil { missing.append("mean") }
        if std == nil { missing.append("std") }
        guard let mean, let std, missing.isEmpty else {
            sink.error(node.location, "`preprocess` needs \(missing.joined(separator: ", "))")
            return nil
        }
        if fit == nil, let crop, let resize, resize < crop {
            sink.error(node.location, "`preprocess.resize` (\(resize)) is smaller than the crop \(crop); the crop would not fit")
            return nil
        }
        // A whole picture keeps a square fallback in `crop` for a model whose input size is symbolic.
        let side = crop ?? size?[0] ?? PreprocessSpec.imagenet.crop
        var spec = PreprocessSpec(resize: fit == nil ? (resize ?? side) : 0, crop: side, mean: mean, std: std)
        if let fit {
            spec.fit = fit
            spec.size = size
        }
        // Stating a crop or resize ends a bare model's "from the model" size.
        if base?.sizeFromModel == true && !stated { spec.sizeFromModel = true }
        return spec
    }
}
