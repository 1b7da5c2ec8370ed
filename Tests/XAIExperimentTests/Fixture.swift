import Foundation
import XCTest
import XAIMetrics
@testable import XAIExperiment
import XAICore

/// A temporary project folder with a model card, a fake model file, labels and a few images.
/// Image and model files only need to exist: the loader never decodes them.
final class Fixture {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "xai-experiment-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try write("Weights/tiny.onnx", "not really onnx")
        try write("Weights/labels.txt", "tench\ngoldfish\ntabby\ntiger cat\n\n")
        try write("Weights/tiny.yaml", """
            name: tiny
            file: tiny.onnx
            sha256: \(String(repeating: "ab", count: 32))
            labels: labels.txt
            input: {size: [32, 32], channels: 3}
            preprocess: {resize: 40, crop: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}
            target_layer: head
            source: tests
            license: MIT
            description: a tiny test model
            """)
        for f in ["images/a.png", "images/b.png", "images/sub/c.jpg", "images/sub/deep/d.jpeg", "other/a.png",
                  "images/notes.txt", "images/.hidden.png", "masks/a.png"] {
            try write(f, "x")
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ rel: String) -> String { root + "/" + rel }

    @discardableResult
    func write(_ rel: String, _ text: String) throws -> String {
        let p = path(rel)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    /// Writes `yaml` to `name` and loads it with this folder as the base directory.
    func load(_ yaml: String, name: String = "exp.yaml", overrides: [String] = []) throws -> Experiment {
        let p = try write(name, yaml)
        return try ExperimentLoader.load(path: p, catalogue: .standard, overrides: overrides, weightsDirectory: "Weights", baseDirectory: root)
    }

    /// Loads `yaml` expecting failure; returns the diagnostics (fails the test if it loads).
    func diagnostics(_ yaml: String, name: String = "exp.yaml", overrides: [String] = [],
                     file: StaticString = #filePath, line: UInt = #line) throws -> [ExperimentDiagnostic] {
        do {
            _ = try load(yaml, name: name, overrides: overrides)
            XCTFail("expected the experiment to be rejected", file: file, line: line)
            return []
        } catch let e as ExperimentError {
            return e.diagnostics
        }
    }
}

/// `LINE:COLUMN: message` of a diagnostic, file name dropped, for compact assertions.
func short(_ d: ExperimentDiagnostic) -> String {
    "\((d.file as NSString).lastPathComponent):\(d.line):\(d.column): \(d.message)"
}

/// A valid minimal experiment body (the model line comes first so tests can append settings).
let minimalYAML = """
    name: demo
    model: tiny
    images: [images/a.png]
    methods:
      gradcam: {}
    """
