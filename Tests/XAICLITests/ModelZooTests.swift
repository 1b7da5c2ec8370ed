import Foundation
import XCTest

/// The three embedded EfficientNet-Lite models (Weights/README.md): each card loads, its file is the
/// one its checksum names, its input size reaches the graph, and it classifies the sample photos as
/// onnxruntime does on PIL-preprocessed crops (the reference figures in Weights/README.md).
final class ModelZooTests: CLITestCase {
    struct Embedded {
        var card: String
        /// Spatial size of `head` (the card's target layer): input / 32, rounded up.
        var headSide: Int
        /// chelsea: the two top classes; coffee: the top class (index, label, probability).
        var chelsea: [(Int, String, Double)]
        var coffee: (Int, String, Double)
    }

    static let models = [
        Embedded(card: "efficientnet-lite0", headSide: 7,
                 chelsea: [(282, "tiger cat", 0.3834), (285, "Egyptian cat", 0.3698)],
                 coffee: (967, "espresso", 0.9567)),
        Embedded(card: "efficientnet-lite1", headSide: 8,
                 chelsea: [(285, "Egyptian cat", 0.4079), (282, "tiger cat", 0.2391)],
                 coffee: (967, "espresso", 0.5141)),
        Embedded(card: "efficientnet-lite2", headSide: 9,
                 chelsea: [(285, "Egyptian cat", 0.6356), (282, "tiger cat", 0.1338)],
                 coffee: (967, "espresso", 0.8963)),
    ]

    /// One `xai predict` per model, one forward per image.
    func testEmbeddedModelsClassifySamplePhotosAsReference() throws {
        var worst = 0.0
        for model in Self.models {
            let r = try xai(["predict", "--model", model.card, "--json", "--top", "2",
                             "Experiments/images/chelsea.png", "Experiments/images/coffee.png"])
            XCTAssertEqual(r.status, 0, "\(model.card): \(r.stderr)")
            guard r.status == 0 else { continue }
            let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]],
                                     model.card)
            XCTAssertEqual(rows.count, 2, model.card)
            let expected: [(String, [(Int, String, Double)])] = [("chelsea", model.chelsea),
                                                                 ("coffee", [model.coffee])]
            for (row, (image, classes)) in zip(rows, expected) {
                XCTAssertTrue((row["image"] as? String)?.contains(image) == true, "\(model.card) \(image)")
                let top = try XCTUnwrap(row["top"] as? [[String: Any]], "\(model.card) \(image)")
                XCTAssertGreaterThanOrEqual(top.count, classes.count, "\(model.card) \(image)")
                for (entry, (index, label, probability)) in zip(top, classes) {
                    let what = "\(model.card) \(image) \(label)"
                    XCTAssertEqual(entry["index"] as? Int, index, what)
                    XCTAssertEqual(entry["label"] as? String, label, what)
                    let p = try XCTUnwrap(entry["probability"] as? Double, what)
                    worst = max(worst, abs(p - probability))
                    XCTAssertEqual(p, probability, accuracy: 0.01, what)
                }
            }
        }
        print("model zoo predict: max probability difference vs onnxruntime reference \(worst)")
    }

    /// The card's `sha256:`, the `.onnx.sha256` file and the model file agree, so a card can never
    /// point at a stale conversion.
    func testCardChecksumsMatchTheModelFiles() throws {
        let weights = Self.repositoryRoot.appendingPathComponent("Weights")
        for model in Self.models {
            let cardText = try String(contentsOf: weights.appendingPathComponent(model.card + ".yaml"), encoding: .utf8)
            let cardSum = try XCTUnwrap(Self.value(of: "sha256", in: cardText), "\(model.card): no sha256 in card")
            let fileName = try XCTUnwrap(Self.value(of: "file", in: cardText), "\(model.card): no file in card")
            XCTAssertEqual(fileName, model.card + ".onnx")
            let listed = try String(contentsOf: weights.appendingPathComponent(fileName + ".sha256"), encoding: .utf8)
            XCTAssertEqual(listed, "\(cardSum)  \(fileName)\n", model.card)
            let actual = try Self.sha256sum(weights.appendingPathComponent(fileName))
            XCTAssertEqual(actual, cardSum, "\(fileName) does not match its card's sha256")
        }
    }

    /// `xai layers` on each card reports `head` at that model's resolution (input 224 / 240 / 260).
    func testHeadResolutionFollowsEachModelsInputSize() throws {
        for model in Self.models {
            let r = try xai(["layers", "--model", model.card])
            XCTAssertEqual(r.status, 0, "\(model.card): \(r.stderr)")
            let head = r.stdout.split(separator: "\n").first { $0.split(separator: " ").first == "head" }
            let line = try XCTUnwrap(head, "\(model.card): no `head` line in\n\(r.stdout)")
            XCTAssertTrue(line.contains("[1280, \(model.headSide), \(model.headSide)]"), "\(model.card): \(line)")
        }
    }

    /// The first `key: value` line's value, without a trailing comment.
    static func value(of key: String, in yaml: String) -> String? {
        for line in yaml.split(separator: "\n") where line.hasPrefix(key + ":") {
            let rest = line.dropFirst(key.count + 1)
            let value = rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? rest
            return value.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    static func sha256sum(_ file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", file.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
