import XCTest
import XAIMetrics
@testable import XAIExperiment
import XAICore
import Yams

final class ResolvedYAMLTests: XCTestCase {
    private let yaml = """
        name: show-me
        model: tiny
        images: [images/*.png, other/a.png]
        target: "tiger cat"
        seed: 2
        methods:
          occlusion: {window: [16, 8]}
          blurry: {method: occlusion, value: 0.5}
          smoothgrad: {base: integrated_gradients}
          gradcam: {}
        sweep:
          gradcam.relu: [true, false]
          zip: {occlusion.stride: [4, 8], occlusion.score: [logit, probability]}
        metrics: [sparseness, {deletion: {steps: 10}}, {deletion: {value: blur}}]
        annotations:
          a: {boxes: [[1, 2, 3, 4]]}
        """

    func testResolvedYAMLIsDeterministicAndReloadsToTheSameRuns() throws {
        let fx = try Fixture()
        let e = try fx.load(yaml)
        let text = try e.resolvedYAML()
        print(text)
        XCTAssertEqual(text, try fx.load(yaml).resolvedYAML(), "same input, same bytes")
        XCTAssertTrue(text.contains("target: tiger cat\n"))
        XCTAssertTrue(text.contains("  blurry:\n    method: occlusion\n"))
        XCTAssertTrue(text.contains("    target_layer: \"\"\n"), "empty strings are quoted")
        XCTAssertTrue(text.contains("# Runs (6):\n"))
        XCTAssertEqual(e.metrics.map(\.id), ["sparseness", "deletion@steps=10", "deletion@value=blur"])

        let again = try fx.load(text, name: "resolved.yaml")
        XCTAssertEqual(again.runs, e.runs)
        XCTAssertEqual(again.methods.map(\.params), e.methods.map(\.params))
        XCTAssertEqual(again.images, e.images)
        XCTAssertEqual(again.metrics, e.metrics)
        XCTAssertEqual(again.annotations, e.annotations)
        XCTAssertEqual(again.models.map(\.path), e.models.map(\.path))
        XCTAssertEqual(again.models.map(\.preprocess), e.models.map(\.preprocess))
        XCTAssertEqual(again.models.map(\.sha256), e.models.map(\.sha256))
        XCTAssertEqual(again.target, .label("tiger cat"))
        XCTAssertEqual(again.sweeps.map(\.params), e.sweeps.map(\.params))
        XCTAssertEqual(try again.resolvedYAML().split(separator: "\n").dropFirst().joined(separator: "\n"),
                       text.split(separator: "\n").dropFirst().joined(separator: "\n"),
                       "a resolved file resolves to itself (apart from the first comment naming the source)")
    }

    /// Every experiment shipped in Experiments/ resolves to YAML that loads back to the same
    /// experiment and resolves to the same text.
    func testShippedExperimentsRoundTrip() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let files = try FileManager.default.contentsOfDirectory(atPath: repo + "/Experiments")
            .filter { $0.hasSuffix(".yaml") && $0 != "base.yaml" }.sorted()
        XCTAssertTrue(files.contains("quickstart.yaml"))
        let scratch = try Fixture()
        for f in files {
            let e = try ExperimentLoader.load(path: repo + "/Experiments/" + f, catalogue: .standard, overrides: [], weightsDirectory: "Weights",
                                              baseDirectory: repo)
            let text = try e.resolvedYAML()
            let resolved = try scratch.write(f, text)
            let again = try ExperimentLoader.load(path: resolved, catalogue: .standard, overrides: [], weightsDirectory: "Weights", baseDirectory: repo)
            XCTAssertEqual(again.runs, e.runs, f)
            XCTAssertEqual(again.methods.map(\.params), e.methods.map(\.params), f)
            XCTAssertEqual(again.metrics, e.metrics, f)
            XCTAssertEqual(again.images, e.images, f)
            XCTAssertEqual(again.models.map(\.labels), e.models.map(\.labels), f)
            XCTAssertEqual(again.target, e.target, f)
            XCTAssertEqual(again.outputDirectory, e.outputDirectory, f)
            XCTAssertEqual(try again.resolvedYAML().split(separator: "\n").dropFirst().joined(separator: "\n"),
                           text.split(separator: "\n").dropFirst().joined(separator: "\n"), f)
        }
    }

    /// How `Node.text` writes a string as the value of a key.
    private func emitted(_ s: String) throws -> String {
        let line = try Yams.serialize(node: .block([("k", .text(s))]))
        XCTAssertEqual(YAMLNode.parse(line, file: "t.yaml", sink: DiagnosticSink())?.entry("k")?.value.paramValue, .string(s),
                       "reads back as the same string: \(line)")
        return String(line.dropFirst(3).dropLast())
    }

    func testScalarQuoting() throws {
        // Plain where it reads back as text; double quotes where a reader would type it; the
        // emitter's single quotes where plain syntax cannot hold it.
        let cases: [(String, String)] = [
            ("gray", "gray"), ("Experiments/images/a.png", "Experiments/images/a.png"), ("tiger cat", "tiger cat"),
            ("16", "\"16\""), ("1e5", "\"1e5\""), ("true", "\"true\""), ("yes", "\"yes\""), ("~", "\"~\""),
            ("a: b", "'a: b'"), ("<script>\"x\"\n", "\"<script>\\\"x\\\"\\n\""), ("", "\"\""),
            ("-x", "-x"), ("- x", "'- x'"),
        ]
        for (text, written) in cases { XCTAssertEqual(try emitted(text), written, text) }
    }
}
