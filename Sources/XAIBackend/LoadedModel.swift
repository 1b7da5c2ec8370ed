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

    /// Imports the ONNX file of `spec` and prepares the engine for its input size. A size the
    /// model fixes decides where `spec` takes its size from the model (`spec` then holds the
    /// settings it got); a stated size that differs from a fixed one is an error naming both.
    public init(spec given: ModelSpec) throws {
        if given.sha256 != nil { try given.verify(sha256: try ContentHash.sha256(file: URL(fileURLWithPath: given.path))) }
        let stated = given.inputSize
        let graph = try ONNXImporter.load(contentsOf: given.path, defaultInputSize: (height: stated[0], width: stated[1]))
        let taken = [graph.inputShape[1], graph.inputShape[2]]
        var spec = given
        spec.preprocess = given.preprocess.fitted(toInputHeight: taken[0], width: taken[1])
        if spec.inputSize != taken {
            throw PlannerError.invalidValue(context: "model '\(given.name)' (\(given.path))", detail:
                "the model takes \(taken[0])x\(taken[1]) images, but its preprocessing gives \(stated[0])x\(stated[1]) "
                + "(\(Self.describe(given.preprocess)) in \(given.cardPath ?? "the experiment")); set `preprocess: "
                + (taken[0] == taken[1] ? "{crop: \(taken[0])}" : "{crop: \(PreprocessSpec.wholeImage)}") + "` or re-export the model")
        }
        self.spec = spec
        engine = try Engine(graph: graph)
        suggestedTargetLayer = CAMTarget.suggestion(in: engine)
        classes = try spec.classLabels(classCount: engine.classCount)
        preprocess = try Self.preprocess(spec.preprocess)
    }

    /// The imaging module's preprocessing for resolved settings.
    static func preprocess(_ p: PreprocessSpec) throws -> Preprocess {
        let mean = p.mean.map { Float($0) }, std = p.std.map { Float($0) }
        guard let fit = p.fit else { return try Preprocess(resize: p.resize, crop: p.crop, mean: mean, std: std) }
        return try Preprocess(fit: fit, height: p.inputSize[0], width: p.inputSize[1], mean: mean, std: std)
    }

    /// `crop 224` or `crop: none, fit: letterbox`, for messages.
    static func describe(_ p: PreprocessSpec) -> String {
        p.fit.map { "crop: \(PreprocessSpec.wholeImage), fit: \($0.rawValue)" } ?? "crop \(p.crop)"
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
