import Foundation
import XAICore
import XAIEngine
import XAIONNX
import XAIImaging
import XAIExperiment
import XAIManifest
import XAIPlanner

/// A model ready to run: its engine, class labels and preprocessing.
public final class LoadedModel: @unchecked Sendable {
    public let spec: ModelSpec
    public let engine: Engine
    /// Its class names, and whether they are its own, ImageNet-1k's default or numbers.
    public let classes: ClassLabels
    /// The class names (empty for a model shown with class numbers).
    public var labels: [String] { classes.names }
    public let preprocess: Preprocess
    /// The layer CAM-family methods use when none is named (`CAMTarget.suggestion`).
    public let suggestedTargetLayer: String?

    /// Imports the ONNX file of `spec` and prepares the engine for its input size.
    public init(spec: ModelSpec) throws {
        self.spec = spec
        if spec.sha256 != nil { try spec.verify(sha256: try ContentHash.sha256(file: URL(fileURLWithPath: spec.path))) }
        let crop = spec.preprocess.crop
        let graph = try ONNXImporter.load(contentsOf: spec.path, inputSize: (height: crop, width: crop))
        engine = try Engine(graph: graph)
        suggestedTargetLayer = CAMTarget.suggestion(in: engine)
        classes = try spec.classLabels(classCount: engine.classCount)
        preprocess = try Preprocess(resize: spec.preprocess.resize, crop: crop,
                                    mean: spec.preprocess.mean.map { Float($0) },
                                    std: spec.preprocess.std.map { Float($0) })
    }

    /// A model given on the command line: a card name in `weightsDirectory`, a card file (.yaml)
    /// or an .onnx file (which takes the card next to it, if any, else ImageNet preprocessing and
    /// ImageNet-1k's labels if it has 1000 outputs).
    public static func spec(reference: String, weightsDirectory: String = "Weights") throws -> ModelSpec {
        let lower = reference.lowercased()
        if lower.hasSuffix(".onnx") {
            guard FileManager.default.fileExists(atPath: reference) else {
                throw PlannerError.invalidValue(context: reference, detail: "model file not found")
            }
            let sibling = PathUtil.deletingExtension(reference) + ".yaml"
            if FileManager.default.fileExists(atPath: sibling) {
                var s = ModelSpec(card: try ModelCard.load(path: sibling))
                s.path = reference
                return s
            }
            return ModelSpec(bareModel: reference, weightsDirectory: weightsDirectory)
        }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            return ModelSpec(card: try ModelCard.load(path: reference))
        }
        return ModelSpec(card: try ModelCard.load(name: reference, weightsDirectory: weightsDirectory))
    }

    /// The source framework's module that computed tensor `name`, when the file records it.
    public func modulePath(of name: String) -> String? { engine.graph.modulePaths[name] }

    /// Label of class `index`, or "class <index>" for models without labels.
    public func label(_ index: Int) -> String { classes.name(index) }
}
