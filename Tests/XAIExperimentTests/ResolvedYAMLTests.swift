import XCTest
@testable import XAIExperiment
import XAICore

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
        let text = e.resolvedYAML()
        print(text)
        XCTAssertEqual(text, try fx.load(yaml).resolvedYAML(), "same input, same bytes")
        XCTAssertTrue(text.contains("target: \"tiger cat\"\n"))
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
        XCTAssertEqual(again.resolvedYAML().split(separator: "\n").dropFirst().joined(separator: "\n"),
                       text.split(separator: "\n").dropFirst().joined(separator: "\n"),
                       "a resolved file resolves to itself (apart from the first comment naming the source)")
    }

    func testScalarQuoting() {
        XCTAssertEqual(YAMLWriter.scalar("gray"), "gray")
        XCTAssertEqual(YAMLWriter.scalar("Experiments/images/a.png"), "Experiments/images/a.png")
        XCTAssertEqual(YAMLWriter.scalar("16"), "\"16\"")
        XCTAssertEqual(YAMLWriter.scalar("1e5"), "\"1e5\"")
        XCTAssertEqual(YAMLWriter.scalar("true"), "\"true\"")
        XCTAssertEqual(YAMLWriter.scalar("yes"), "\"yes\"")
        XCTAssertEqual(YAMLWriter.scalar("a: b"), "\"a: b\"")
        XCTAssertEqual(YAMLWriter.scalar("<script>\"x\"\n"), "\"<script>\\\"x\\\"\\n\"")
        XCTAssertEqual(YAMLWriter.scalar(""), "\"\"")
        XCTAssertEqual(YAMLWriter.scalar("-x"), "\"-x\"")
    }
}
