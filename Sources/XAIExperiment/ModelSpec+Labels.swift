import Foundation
import XAICore

/// The class names a model's predictions are shown with, and where they came from.
public struct ClassLabels: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        /// The card or the experiment gave them.
        case given
        /// None given and 1000 outputs: ImageNet-1k's (`ModelSpec.defaultLabelsFile`).
        case imagenetDefault
        /// None given and not 1000 outputs (or no ImageNet-1k file): classes are numbers.
        case numbers
    }

    /// One name per class; empty when `origin` is `.numbers`.
    public let names: [String]
    public let classCount: Int
    public let origin: Origin

    public init(names: [String], classCount: Int, origin: Origin) {
        self.names = names
        self.classCount = classCount
        self.origin = origin
    }

    /// The name of class `index`, or `class <index>` when the model has no labels.
    public func name(_ index: Int) -> String {
        index >= 0 && index < names.count ? names[index] : "class \(index)"
    }

    /// What the manifest and the gallery say about labels the model was not given; nil when it was.
    public var note: String? {
        switch origin {
        case .given: return nil
        case .imagenetDefault: return "imagenet-1k (default for \(ModelSpec.imagenetClassCount) outputs)"
        case .numbers: return "none (\(classCount) outputs, shown as class numbers)"
        }
    }
}

extension ModelSpec {
    /// The labels file shipped in `Weights/` with the embedded ImageNet models.
    public static let imagenetLabelsFileName = "imagenet-classes.txt"
    /// Output count that makes a model without labels an ImageNet-1k classifier.
    public static let imagenetClassCount = 1000

    /// The class labels (inline, or read from `labelsFile`), or nil when the model has none.
    public func loadLabels() throws -> [String]? {
        if let labels { return labels }
        guard let labelsFile else { return nil }
        return try ModelSpec.readLabelsFile(labelsFile)
    }

    /// The labels a class name given in the experiment is checked against before the model is
    /// loaded: its own, else the ImageNet-1k default (which applies if it has 1000 outputs).
    public func loadLabelsOrDefault() throws -> [String]? {
        if let own = try loadLabels() { return own }
        return try defaultLabelsFile.map(ModelSpec.readLabelsFile)
    }

    /// The class labels, refused unless there is one per class of the model (a 3-line labels
    /// file for a 1000-class model would label most predictions "class N" without a word).
    public func loadLabels(classCount: Int) throws -> [String]? {
        let loaded = try loadLabels()
        guard let labels = loaded, labels.count != classCount else { return loaded }
        let file = labelsFile ?? cardPath ?? path
        let what = labelsFile == nil ? "the card's `labels:` list has" : "the labels file has"
        throw ExperimentError.invalid([ExperimentDiagnostic(SourceLocation(file: file, line: 1, column: 1),
            "\(what) \(labels.count) labels but model '\(name)' has \(classCount) classes; give one label per class, one per line, in class order")])
    }

    /// The labels of a model with `classCount` outputs: its own (checked as above), else
    /// ImageNet-1k's when it has 1000 outputs and `defaultLabelsFile` is set, else class numbers.
    public func classLabels(classCount: Int) throws -> ClassLabels {
        if let own = try loadLabels(classCount: classCount) {
            return ClassLabels(names: own, classCount: classCount, origin: .given)
        }
        if classCount == ModelSpec.imagenetClassCount, let file = defaultLabelsFile {
            let names = try ModelSpec.readLabelsFile(file)
            guard names.count == classCount else {
                throw ExperimentError.invalid([ExperimentDiagnostic(SourceLocation(file: file, line: 1, column: 1),
                    "the ImageNet-1k labels file has \(names.count) lines, not \(classCount); restore it from the repository")])
            }
            return ClassLabels(names: names, classCount: classCount, origin: .imagenetDefault)
        }
        return ClassLabels(names: [], classCount: classCount, origin: .numbers)
    }

    /// Largest accepted labels file (ImageNet's 1000 labels take 21 KB).
    public static let maxLabelsFileBytes = 16 << 20

    /// Reads a labels file: one label per line, surrounding spaces trimmed, trailing empty lines dropped.
    public static func readLabelsFile(_ path: String) throws -> [String] {
        let fileLoc = SourceLocation(file: path, line: 1, column: 1)
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, maxBytes: maxLabelsFileBytes)
        } catch {
            throw ExperimentError.invalid([ExperimentDiagnostic(fileLoc, "cannot read labels file: \(error)")])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ExperimentError.invalid([ExperimentDiagnostic(fileLoc, "the labels file '\(path)' is not UTF-8 text")])
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}
