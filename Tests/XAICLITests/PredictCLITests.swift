import Foundation
import XCTest

final class PredictCLITests: CLITestCase {
    /// The embedded model's top classes on the sample images, against the reference values
    /// (onnxruntime on PIL-preprocessed crops; Weights/README.md).
    func testEmbeddedModelTopClassesOnSampleImages() throws {
        let r = try xai(["predict", "--json", "--top", "2", "Experiments/images/chelsea.png",
                         "Experiments/images/coffee.png", "Experiments/images/rocket.jpg"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 3)
        let expected: [(String, [(Int, String, Double)])] = [
            ("chelsea", [(282, "tiger cat", 0.3834), (285, "Egyptian cat", 0.3698)]),
            ("coffee", [(967, "espresso", 0.9567)]),
            ("rocket", [(657, "missile", 0.3809), (744, "projectile", 0.2531)]),
        ]
        var worst = 0.0
        for (row, (name, classes)) in zip(rows, expected) {
            XCTAssertTrue((row["image"] as? String)?.contains(name) == true)
            let top = try XCTUnwrap(row["top"] as? [[String: Any]])
            for (entry, (index, label, probability)) in zip(top, classes) {
                XCTAssertEqual(entry["index"] as? Int, index, name)
                XCTAssertEqual(entry["label"] as? String, label, name)
                let p = try XCTUnwrap(entry["probability"] as? Double)
                worst = max(worst, abs(p - probability))
                XCTAssertEqual(p, probability, accuracy: 0.01, "\(name) \(label)")
                XCTAssertNotNil(entry["logit"] as? Double)
            }
        }
        print("predict: max probability difference vs reference \(worst)")
    }

    func testCorruptImageIsAClearError() throws {
        let dir = try scratchRoot()
        let bad = dir.appendingPathComponent("broken.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0]).write(to: bad)
        let r = try xai(["predict", bad.path], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("broken.png"), r.stderr)
    }

    /// `xai bench --method` names a timed method; others are refused with the list.
    func testBenchRefusesAMethodItDoesNotTime() throws {
        let r = try xai(["bench", "--method", "cam"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("'cam' is not among the timed methods") && r.stderr.contains("rise"), r.stderr)
    }

    func testMissingModelFileIsAClearError() throws {
        let r = try xai(["predict", "--model", "/nonexistent/model.onnx", "Experiments/images/chelsea.png"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("/nonexistent/model.onnx"), r.stderr)
    }

    /// A model file that does not match its card's sha256 is refused, naming the file.
    func testModelFileThatDoesNotMatchItsCardIsRefused() throws {
        let dir = try scratchRoot()
        let weights = dir.appendingPathComponent("Weights")
        try FileManager.default.removeItem(at: weights)
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        let real = Self.repositoryRoot.appendingPathComponent("Weights")
        var card = try String(contentsOf: real.appendingPathComponent("efficientnet-lite0.yaml"), encoding: .utf8)
        card = card.replacingOccurrences(of: "754a6618f00e1ec5", with: "0000000000000000")
        try card.write(to: weights.appendingPathComponent("efficientnet-lite0.yaml"), atomically: true, encoding: .utf8)
        for name in ["efficientnet-lite0.onnx", "imagenet-classes.txt"] {
            try FileManager.default.createSymbolicLink(at: weights.appendingPathComponent(name),
                                                       withDestinationURL: real.appendingPathComponent(name))
        }
        let r = try xai(["predict", "Experiments/images/coffee.png"], in: dir)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("efficientnet-lite0.onnx") && r.stderr.contains("SHA-256"), r.stderr)
    }

    func testLayersListsTheHeadWithItsShape() throws {
        let r = try xai(["layers"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("head"), r.stdout)
        XCTAssertTrue(r.stdout.contains("[1280, 7, 7]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("[1000]"), r.stdout)
    }
}
