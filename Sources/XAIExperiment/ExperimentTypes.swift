import Foundation
import XAICore

/// One model of an experiment, with every setting resolved (card defaults, inline overrides,
/// the experiment's `target_layer`).
public struct ModelSpec: Codable, Sendable, Hashable {
    /// Readable id, unique within the experiment: the card's name, the inline `name:`, or the
    /// .onnx file's stem (`-2`, `-3`, ... appended on a clash).
    public var name: String
    /// The .onnx file.
    public var path: String
    /// Expected SHA-256 of the model file (from the card or the file), when given.
    public var sha256: String?
    /// A labels file, one label per line; nil when the labels are inline or unknown.
    public var labelsFile: String?
    /// Inline labels; nil when they come from `labelsFile` or are unknown.
    public var labels: [String]?
    public var channels: Int
    public var preprocess: PreprocessSpec
    /// The layer for CAM-family methods, DFF and Deep Dream: the model entry's `target_layer`,
    /// else the experiment's top-level `target_layer`, else the card's. Nil when none is given
    /// (the loader reports an error if a method needs it).
    public var targetLayer: String?
    /// The model card this model came from, if any.
    public var cardPath: String?
    /// ImageNet-1k's labels file, for a model given without labels (a bare .onnx): used when
    /// the model turns out to have 1000 outputs (`classLabels(classCount:)`); nil otherwise.
    public var defaultLabelsFile: String?

    public init(name: String, path: String, sha256: String? = nil, labelsFile: String? = nil, labels: [String]? = nil,
                channels: Int = 3, preprocess: PreprocessSpec, targetLayer: String? = nil, cardPath: String? = nil,
                defaultLabelsFile: String? = nil) {
        self.name = name
        self.path = path
        self.sha256 = sha256
        self.labelsFile = labelsFile
        self.labels = labels
        self.channels = channels
        self.preprocess = preprocess
        self.targetLayer = targetLayer
        self.cardPath = cardPath
        self.defaultLabelsFile = defaultLabelsFile
    }

    /// The settings of `card`.
    public init(card: ModelCard) {
        self.init(name: card.name, path: card.file, sha256: card.sha256, labelsFile: card.labelsFile, labels: card.labels,
                  channels: card.channels, preprocess: card.preprocess, targetLayer: card.targetLayer, cardPath: card.cardPath)
    }

    /// A bare .onnx file with no card: torchvision's ImageNet preprocessing at the input size the
    /// model fixes (224 when it fixes none), no labels of its own, ImageNet-1k's as the default
    /// when `weightsDirectory` has them.
    public init(bareModel path: String, weightsDirectory: String) {
        let imagenet = PathUtil.join(weightsDirectory, ModelSpec.imagenetLabelsFileName)
        var preprocess = PreprocessSpec.imagenet
        preprocess.sizeFromModel = true
        self.init(name: PathUtil.stem(path), path: path, preprocess: preprocess,
                  defaultLabelsFile: PathUtil.isFile(imagenet) ? imagenet : nil)
    }

    /// The model's input size [height, width].
    public var inputSize: [Int] { preprocess.inputSize }
}

/// One input image.
public struct ImageSpec: Codable, Sendable, Hashable {
    /// Readable id used in task ids and output names: the file stem with characters outside
    /// `[A-Za-z0-9._-]` replaced by `_`; `-2`, `-3`, ... are appended when two images share it.
    public var id: String
    /// The file (relative paths are relative to the base directory; see `ExperimentLoader`).
    public var path: String
}

/// Which class each image is explained for.
public enum TargetSpec: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The model's top prediction (or the top `topK`).
    case predicted
    /// A class index.
    case index(Int)
    /// A class label, looked up in the model's labels.
    case label(String)

    public var description: String {
        switch self {
        case .predicted: return "predicted"
        case .index(let i): return String(i)
        case .label(let s): return s
        }
    }

    // JSON: "predicted", an integer, or {"label": "tabby"} (so a label spelt "predicted" stays a label).
    private enum Keys: String, CodingKey { case label }

    public init(from decoder: Decoder) throws {
        if let c = try? decoder.singleValueContainer() {
            if let i = try? c.decode(Int.self) { self = .index(i); return }
            if let s = try? c.decode(String.self), s == "predicted" { self = .predicted; return }
        }
        let k = try decoder.container(keyedBy: Keys.self)
        self = .label(try k.decode(String.self, forKey: .label))
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .predicted:
            var c = encoder.singleValueContainer()
            try c.encode("predicted")
        case .index(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .label(let s):
            var k = encoder.container(keyedBy: Keys.self)
            try k.encode(s, forKey: .label)
        }
    }
}

/// A method instance as written under `methods:` (before sweeps).
public struct MethodInstance: Codable, Sendable, Hashable {
    /// The instance name (`occlusion`, `occlusion-blur`); unique; `[A-Za-z0-9][A-Za-z0-9_-]*`.
    public var name: String
    /// The method's facts, from the catalogue the loader was given.
    public var descriptor: MethodDescriptor
    public var kind: MethodKind { descriptor.kind }
    /// Every parameter, defaults filled in (for a wrapper such as smoothgrad including its base method's).
    public var params: ResolvedParams
    /// The parameters the file set explicitly (sorted).
    public var explicitParams: [String]
    /// The parameters the sweep varies (sorted); empty when not swept.
    public var sweptParams: [String]

    public init(name: String, descriptor: MethodDescriptor, params: ResolvedParams, explicitParams: [String], sweptParams: [String]) {
        self.name = name
        self.descriptor = descriptor
        self.params = params
        self.explicitParams = explicitParams
        self.sweptParams = sweptParams
    }

    private enum CodingKeys: String, CodingKey { case name, kind, params, explicitParams, sweptParams }

    /// Decoding needs the catalogue under `Catalogue.userInfoKey` in the decoder's `userInfo`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        descriptor = try Catalogue.method(c, forKey: .kind, decoder: decoder)
        let raw = try c.decode(ResolvedParams.self, forKey: .params)
        params = raw.normalized(with: descriptor.parameters(for: raw))
        explicitParams = try c.decode([String].self, forKey: .explicitParams)
        sweptParams = try c.decode([String].self, forKey: .sweptParams)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(params, forKey: .params)
        try c.encode(explicitParams, forKey: .explicitParams)
        try c.encode(sweptParams, forKey: .sweptParams)
    }
}

/// One point of the sweep for one method instance: what an explanation task computes.
public struct MethodRun: Codable, Sendable, Hashable {
    /// `INSTANCE` when the instance is not swept, else `INSTANCE@p=v,q=w` listing the swept
    /// parameters in sorted order (e.g. `occlusion@stride=8,window=16`). Unique within the experiment.
    public var id: String
    public var instance: String
    /// The method's facts, from the catalogue the loader was given.
    public var descriptor: MethodDescriptor
    public var kind: MethodKind { descriptor.kind }
    /// Every parameter (defaults, instance values, then the sweep point's values).
    public var params: ResolvedParams
    /// Only the swept parameters and their values at this point (empty when not swept).
    public var sweep: ResolvedParams

    public init(id: String, instance: String, descriptor: MethodDescriptor, params: ResolvedParams, sweep: ResolvedParams) {
        self.id = id
        self.instance = instance
        self.descriptor = descriptor
        self.params = params
        self.sweep = sweep
    }

    /// The declarations that apply to this run's parameters.
    public var specs: [ParameterSpec] { descriptor.parameters(for: params) }

    private enum CodingKeys: String, CodingKey { case id, instance, kind, params, sweep }

    /// Decoding needs the catalogue under `Catalogue.userInfoKey` in the decoder's `userInfo`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        instance = try c.decode(String.self, forKey: .instance)
        descriptor = try Catalogue.method(c, forKey: .kind, decoder: decoder)
        let raw = try c.decode(ResolvedParams.self, forKey: .params)
        let specs = descriptor.parameters(for: raw)
        params = raw.normalized(with: specs)
        sweep = try c.decode(ResolvedParams.self, forKey: .sweep).normalized(with: specs)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(instance, forKey: .instance)
        try c.encode(kind, forKey: .kind)
        try c.encode(params, forKey: .params)
        try c.encode(sweep, forKey: .sweep)
    }
}

/// One metric to compute for every explanation it applies to.
public struct MetricSpec: Codable, Sendable, Hashable {
    /// The metric's name, or `NAME@p=v,...` (parameters that differ from the defaults) when the
    /// same metric is listed more than once with different parameters.
    public var id: String
    /// The metric's facts, from the catalogue the loader was given.
    public var descriptor: MetricDescriptor
    public var kind: MetricKind { descriptor.kind }
    public var params: ResolvedParams

    public init(id: String, descriptor: MetricDescriptor, params: ResolvedParams) {
        self.id = id
        self.descriptor = descriptor
        self.params = params
    }

    private enum CodingKeys: String, CodingKey { case id, kind, params }

    /// Decoding needs the catalogue under `Catalogue.userInfoKey` in the decoder's `userInfo`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        let name = try c.decode(String.self, forKey: .kind)
        guard let d = try Catalogue.from(decoder).metric(named: name) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown metric '\(name)'")
        }
        descriptor = d
        params = try c.decode(ResolvedParams.self, forKey: .params).normalized(with: d.parameters)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(params, forKey: .params)
    }
}

/// A ground-truth box in original-image pixel coordinates; x1 > x0, y1 > y0.
public struct BoundingBox: Codable, Sendable, Hashable {
    public var x0: Double
    public var y0: Double
    public var x1: Double
    public var y1: Double

    public init(x0: Double, y0: Double, x1: Double, y1: Double) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
    }
}

/// Ground truth for one image, for `localisation`.
public struct Annotation: Codable, Sendable, Hashable {
    /// The `ImageSpec.id` it belongs to.
    public var imageID: String
    public var boxes: [BoundingBox]
    /// A PNG mask (non-zero = object), in original-image pixels.
    public var mask: String?
}
