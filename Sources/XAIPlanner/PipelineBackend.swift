import Foundation
import XAIManifest
import XAICore
import XAIExperiment

/// An image as a model sees it.
public struct DecodedImage: Sendable {
    /// Size of the original file's picture.
    public var originalWidth: Int
    public var originalHeight: Int
    /// The resized, centre-cropped picture before normalisation: [3, H, W], RGB planes, 0...1.
    public var cropped: Tensor
    /// The normalised network input: [1, 3, H, W] (NCHW).
    public var input: Tensor
    /// `cropped` as PNG, for the gallery (nil when not encoded).
    public var preview: Data?
    /// Names the image as one model sees it when the runner reads it for a task of that model:
    /// the key of the image's prediction entry, which covers the model and the decoded image.
    /// Metrics of every method of the image share work through it; nil otherwise.
    public var cacheName: String?

    public init(originalWidth: Int, originalHeight: Int, cropped: Tensor, input: Tensor, preview: Data? = nil) {
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
        self.cropped = cropped
        self.input = input
        self.preview = preview
    }
}

/// What an explanation method returned, in the planner's terms.
public struct ExplanationData: Sendable {
    /// [H, W] at the model's input resolution, or [K, H, W] for multi-map methods.
    public var map: Tensor
    public var signed: Bool
    public var scalars: [String: Double]
    /// Extra arrays saved as .npy.
    public var arrays: [String: Tensor]
    /// Extra pictures saved as PNG (already encoded).
    public var pictures: [String: Data]
    public var legend: [Manifest.LegendEntry]
    /// Names these results when they were read from the cache: the explain entry's key, with the
    /// image's slot in a joint entry. It stands for the map, the image and the model (the entry's
    /// key covers them), so metrics of this explanation share work through it; nil otherwise.
    public var cacheName: String?

    public init(map: Tensor, signed: Bool = false, scalars: [String: Double] = [:], arrays: [String: Tensor] = [:],
                pictures: [String: Data] = [:], legend: [Manifest.LegendEntry] = [], cacheName: String? = nil) {
        self.map = map
        self.signed = signed
        self.scalars = scalars
        self.arrays = arrays
        self.pictures = pictures
        self.legend = legend
        self.cacheName = cacheName
    }
}

/// An overlay picture and the value range its colours span.
public struct RenderedOverlay: Sendable {
    public var png: Data
    public var scale: Manifest.Scale

    public init(png: Data, scale: Manifest.Scale) {
        self.png = png
        self.scale = scale
    }
}

/// The computations behind the tasks. The runner owns scheduling, caching and files; a backend
/// only computes. The production backend (`EngineBackend` in XAIBackend, which the CLI passes in)
/// uses the engine, the ONNX importer, the imaging module and the method and metric registries;
/// the planner's tests use a small fake.
public protocol PipelineBackend: Sendable {
    /// `model` with the settings it takes from the model file filled in (an input size the file
    /// fixes); the runner plans with these.
    func resolved(model: ModelSpec) throws -> ModelSpec
    /// Reads `image` and prepares it for `model` (resize, crop, normalise).
    func decode(image: ImageSpec, model: ModelSpec) throws -> DecodedImage
    /// Class names of `model` (its own, ImageNet-1k's default, or none), and its class count.
    func classes(model: ModelSpec) throws -> ClassLabels
    /// Softmax probabilities for one input [1, 3, H, W].
    func predict(model: ModelSpec, input: Tensor) throws -> [Float]
    /// Runs one method for one target class.
    func explain(run: MethodRun, model: ModelSpec, targetLayer: String?, image: DecodedImage, target: Int,
                 seed: UInt64, contentKey: String, progress: @escaping @Sendable (Double) -> Void) throws -> ExplanationData
    /// Explains several images together with one method run (DFF with `joint: true`): one
    /// result per image, in the order of `images`, sharing concepts, colours and legend.
    /// `targets[i]` and `contentKeys[i]` belong to `images[i]`.
    func explainJointly(run: MethodRun, model: ModelSpec, targetLayer: String?, images: [DecodedImage],
                        targets: [Int], seed: UInt64, contentKeys: [String],
                        progress: @escaping @Sendable (Double) -> Void) throws -> [ExplanationData]
    /// Computes one metric of the explanation `run` produced (`annotation`: the image's ground truth, if any).
    func metric(_ metric: MetricSpec, run: MethodRun, model: ModelSpec, image: DecodedImage,
                explanation: ExplanationData, annotation: Annotation?, target: Int,
                seed: UInt64) throws -> Manifest.MetricValue
    /// Draws `map` over the cropped picture with the display parameters of `run` (colormap, alpha).
    func render(map: Tensor, signed: Bool, image: DecodedImage, run: MethodRun) throws -> RenderedOverlay
    /// The files besides `model.path` that the model reads (an ONNX model's external data), part
    /// of the model's identity in cache keys.
    func companionFiles(model: ModelSpec) throws -> [String]
}

extension PipelineBackend {
    /// No companion files: the model is its file.
    public func companionFiles(model: ModelSpec) throws -> [String] { [] }
}

extension PipelineBackend {
    /// Backends whose models take nothing from their files keep the specs as they are.
    public func resolved(model: ModelSpec) throws -> ModelSpec { model }
}
