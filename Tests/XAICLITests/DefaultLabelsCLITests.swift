import Foundation
import XCTest

/// Issue 18, item 3: a bare .onnx (no card, no labels) with 1000 outputs is shown with
/// ImageNet-1k's labels (Weights/imagenet-classes.txt), and says so; it used to print "class 967".
final class DefaultLabelsCLITests: CLITestCase {
    /// A scratch folder with `models/bare.onnx`, a link to the embedded Lite0 with no card beside it.
    private func bareModel() throws -> URL {
        let dir = try scratchRoot()
        let models = dir.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: models.appendingPathComponent("bare.onnx"),
            withDestinationURL: Self.repositoryRoot.appendingPathComponent("Weights/efficientnet-lite0.onnx"))
        return dir
    }

    func testPredictNamesTheClassesOfABareImageNetModel() throws {
        let dir = try bareModel()
        let r = try xai(["predict", "--model", "models/bare.onnx", "--top", "1", "Experiments/images/coffee.png"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("espresso (967)"), r.stdout)
        XCTAssertEqual(r.stderr.components(separatedBy: "note: model 'bare' has no labels and 1000 outputs: using ImageNet-1k's").count, 2,
                       r.stderr)
    }

    func testRunStatesTheDefaultLabelsInTheManifestAndTheOverview() throws {
        let dir = try bareModel()
        try """
        schema: 1
        name: bare-labels
        model: models/bare.onnx
        images: [Experiments/images/coffee.png]
        methods:
          saliency: {}
        """.write(to: dir.appendingPathComponent("bare.yaml"), atomically: true, encoding: .utf8)
        let r = try xai(["run", "bare.yaml"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("note: model 'bare' has no labels and 1000 outputs: using ImageNet-1k's"), r.stderr)
        let out = dir.appendingPathComponent("Outputs/bare-labels")
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any])
        let model = try XCTUnwrap((manifest["models"] as? [[String: Any]])?.first)
        XCTAssertEqual(model["labels"] as? String, "imagenet-1k (default for 1000 outputs)")
        XCTAssertEqual(model["classCount"] as? Int, 1000)
        let top = try XCTUnwrap(((manifest["predictions"] as? [[String: Any]])?.first?["top"] as? [[String: Any]])?.first)
        XCTAssertEqual(top["label"] as? String, "espresso")
        XCTAssertEqual(top["index"] as? Int, 967)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("1000 · labels: imagenet-1k (default for 1000 outputs)"), "overview lacks the labels line")
    }
}

/// Issue 18, item 5: a duplicate key, an unknown method parameter, an unknown label and an
/// unknown target layer are reported together, each at its FILE:LINE:COLUMN.
final class OnePassValidationCLITests: CLITestCase {
    func testFourProblemsInOneErrorOutput() throws {
        let dir = try scratchRoot()
        try """
        schema: 1
        name: all-at-once
        images: [Experiments/images/coffee.png]
        target: espreso
        seed: 1
        seed: 2
        methods:
          saliency: {stepz: 3}
          gradcam: {target_layer: haed}
        """.write(to: dir.appendingPathComponent("all.yaml"), atomically: true, encoding: .utf8)
        let r = try xai(["run", "all.yaml"], in: dir)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").map(String.init), [
            "all.yaml:4:9: `target` label 'espreso' is not a class of model 'efficientnet-lite0'; did you mean 'espresso'?",
            "all.yaml:5:1: duplicate key 'seed' in the same mapping; each key may appear once",
            "all.yaml:8:14: unknown parameter 'stepz' for saliency (parameters: reduce, colormap, overlay_alpha)",
            "all.yaml:9:27: model 'efficientnet-lite0': no tensor named 'haed'; did you mean: head?",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Outputs/all-at-once").path))
    }
}
