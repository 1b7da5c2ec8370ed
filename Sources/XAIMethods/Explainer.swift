import Dispatch
import XAICore
import XAIEngine
import XAIImaging

/// One explanation method. Each method lives in its own file (`GradCAM.swift`, `Occlusion.swift`, ...)
/// and is created from its fully resolved parameters (defaults filled in by the experiment loader).
/// Implementations must be deterministic for a given `ExplanationInput.seed`.
public protocol Explainer: Sendable {
    /// The method's name, summary, parameters and traits, declared in the method's file.
    static var descriptor: MethodDescriptor { get }
    /// Validates `params`; throws `MethodError.invalidParameter` naming the parameter.
    init(params: ResolvedParams) throws
    func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation
}

extension Explainer {
    public static var kind: MethodKind { descriptor.kind }
}

/// Methods that can explain several images together (DFF with `joint: true`).
public protocol JointExplainer: Explainer {
    func explainJointly(_ inputs: [ExplanationInput], model: ModelContext) throws -> [Explanation]
}

/// One image to explain for one target class.
public struct ExplanationInput: Sendable {
    /// The resized, centre-cropped image before normalisation (planar RGB in 0...1, model resolution).
    public var image: RGBImage
    /// `image` normalised with the model's mean/std: [1, 3, H, W] (NCHW).
    public var input: Tensor
    /// Class index to explain.
    public var target: Int
    /// Seed for every random step of the method (noise, masks, segmentation, initialisation).
    public var seed: UInt64
    /// Content hash of (model, image) so methods can key shared intermediate results.
    public var contentKey: String

    public init(image: RGBImage, input: Tensor, target: Int, seed: UInt64, contentKey: String) {
        self.image = image
        self.input = input
        self.target = target
        self.seed = seed
        self.contentKey = contentKey
    }
}

/// What a method may use of the model.
public struct ModelContext: @unchecked Sendable {
    public let engine: Engine
    public let labels: [String]
    public let preprocess: Preprocess
    /// Resolved tensor name for CAM-family methods and DFF (nil when the experiment names none).
    public let targetLayer: String?
    /// Shared intermediate results (e.g. model outputs on perturbation masks); nil disables sharing.
    public let cache: IntermediateCache?
    /// Called with the fraction done (0...1) during long work.
    public let progress: (@Sendable (Double) -> Void)?

    public init(engine: Engine, labels: [String], preprocess: Preprocess, targetLayer: String?,
                cache: IntermediateCache? = nil, progress: (@Sendable (Double) -> Void)? = nil) {
        self.engine = engine
        self.labels = labels
        self.preprocess = preprocess
        self.targetLayer = targetLayer
        self.cache = cache
        self.progress = progress
    }

    /// Normalises a batch of unnormalised images [N, 3, H, W] (0...1) with the model's mean/std.
    public func normalize(_ images: Tensor) -> Tensor {
        var out = images
        let c = images.shape[1], plane = images.shape[2] * images.shape[3]
        out.data.withUnsafeMutableBufferPointer { p in
            let data = p.baseAddress!
            DispatchQueue.concurrentPerform(iterations: images.shape[0] * c) { t in
                normalize(plane: data + t * plane, channel: t % c, count: plane)
            }
        }
        return out
    }

    /// Normalises one image [C, H, W] in place (`count` = H * W), as `normalize` does: batches
    /// drawn image by image normalise each as it is drawn, while it is in cache, instead of
    /// copying and rewriting the whole batch afterwards.
    public func normalize(item: UnsafeMutablePointer<Float>, channels c: Int, count: Int) {
        for ch in 0..<c { normalize(plane: item + ch * count, channel: ch, count: count) }
    }

    @inline(__always)
    private func normalize(plane values: UnsafeMutablePointer<Float>, channel ch: Int, count: Int) {
        let m = preprocess.mean[ch % preprocess.mean.count]
        let s = 1 / preprocess.std[ch % preprocess.std.count]
        for i in 0..<count { values[i] = (values[i] - m) * s }
    }
}

/// A store for intermediate results shared between tasks (the planner backs it with the disk cache).
public protocol IntermediateCache: Sendable {
    func load(_ key: String) -> Tensor?
    func store(_ key: String, _ value: Tensor)
}

/// The result of one method on one image. Whether its map is signed is the method's trait
/// (`MethodDescriptor.mapIsSigned`), not the result's.
public struct Explanation: Sendable {
    /// Raw attribution at the model's input resolution: [H, W], or [K, H, W] for multi-map methods (DFF).
    public var map: Tensor
    /// The map before upsampling (CAM family: [h, w] at the target layer), if any.
    public var lowResolution: Tensor?
    /// Scalars worth reporting (completeness_gap, r2, intercept, precision, coverage, ...).
    public var scalars: [String: Double]
    /// Extra arrays worth saving as .npy (occlusion score grid, LIME weights, ...).
    public var arrays: [String: Tensor]
    /// Extra pictures (synthesised image, DFF combined picture, LIME top-features mask, ...).
    public var images: [String: RGBImage]
    /// Superpixel labels (row-major [H*W]) when the method works on segments.
    public var segments: [Int32]?
    /// Legend for multi-map methods (DFF concept -> top labels).
    public var legend: [LegendEntry]

    public init(map: Tensor, lowResolution: Tensor? = nil,
                scalars: [String: Double] = [:], arrays: [String: Tensor] = [:],
                images: [String: RGBImage] = [:], segments: [Int32]? = nil, legend: [LegendEntry] = []) {
        self.map = map
        self.lowResolution = lowResolution
        self.scalars = scalars
        self.arrays = arrays
        self.images = images
        self.segments = segments
        self.legend = legend
    }
}

/// Errors raised by methods; each names the method and what to change.
public enum MethodError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(method: String, parameter: String, detail: String)
    /// A name that is not in `MethodCatalogue`.
    case unknownMethod(String, known: [String])
    case unsuitableModel(method: String, detail: String)
    case numeric(method: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidParameter(m, p, d): return "\(m): parameter '\(p)': \(d)"
        case let .unknownMethod(m, known): return "unknown method '\(m)'; known: \(known.joined(separator: ", "))"
        case let .unsuitableModel(m, d): return "\(m): \(d)"
        case let .numeric(m, d): return "\(m): \(d)"
        }
    }
}
