import XCTest
@testable import XAIExperiment
import XAICore

final class ModelCardTests: XCTestCase {
    func testParsesCard() throws {
        let fx = try Fixture()
        let card = try ModelCard.load(name: "tiny", weightsDirectory: fx.path("Weights"))
        XCTAssertEqual(card.name, "tiny")
        XCTAssertEqual(card.file, fx.path("Weights/tiny.onnx"))
        XCTAssertEqual(card.cardPath, fx.path("Weights/tiny.yaml"))
        XCTAssertEqual(card.sha256, String(repeating: "ab", count: 32))
        XCTAssertEqual(card.labelsFile, fx.path("Weights/labels.txt"))
        XCTAssertEqual(card.inputSize, [32, 32])
        XCTAssertEqual(card.channels, 3)
        XCTAssertEqual(card.preprocess, PreprocessSpec(resize: 40, crop: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))
        XCTAssertEqual(card.targetLayer, "head")
        XCTAssertEqual(card.targetLayerLocation?.line, 7)
        XCTAssertEqual(card.license, "MIT")
        XCTAssertEqual(card.source, "tests")
        XCTAssertEqual(card.description, "a tiny test model")
        XCTAssertEqual(try ModelCard.load(path: fx.path("Weights/tiny.yaml")), card)
    }

    func testCropDefaultsToInputSizeAndInlineLabels() throws {
        let fx = try Fixture()
        try fx.write("Weights/m.yaml", """
            name: m
            file: tiny.onnx
            labels: [no, yes]
            input: {size: [20, 20], channels: 1}
            preprocess: {mean: [0.5], std: [0.5]}
            """)
        let card = try ModelCard.load(name: "m", weightsDirectory: fx.path("Weights"))
        XCTAssertEqual(card.preprocess.crop, 20)
        XCTAssertEqual(card.preprocess.resize, 20)
        XCTAssertEqual(card.labels, ["no", "yes"], "labels are strings even when YAML 1.1 would read booleans")
        XCTAssertNil(card.targetLayer)
        try fx.write("Weights/wide.yaml", "file: tiny.onnx\ninput: {size: [20, 30]}\npreprocess: {mean: [0, 0, 0], std: [1, 1, 1]}\n")
        // A non-square input takes the whole picture, letterboxed (issue 18).
        let wide = try ModelCard.load(name: "wide", weightsDirectory: fx.path("Weights"))
        XCTAssertEqual(wide.preprocess.fit, .letterbox)
        XCTAssertEqual(wide.preprocess.inputSize, [20, 30])
        XCTAssertEqual(wide.inputSize, [20, 30])
        try fx.write("Weights/wrong.yaml", "file: tiny.onnx\ninput: {size: [20, 30]}\npreprocess: {crop: 20, mean: [0, 0, 0], std: [1, 1, 1]}\n")
        XCTAssertThrowsError(try ModelCard.load(name: "wrong", weightsDirectory: fx.path("Weights"))) { error in
            XCTAssertEqual((error as? ExperimentError)?.diagnostics.map(short),
                           ["wrong.yaml:3:20: `preprocess.crop` 20 does not match the input size 20x30: a centre crop gives a 20x20 input; "
                            + "set `crop: none`"])
        }
    }

    func testBadCardReportsEveryProblem() throws {
        let fx = try Fixture()
        try fx.write("Weights/bad.yaml", """
            name: bad
            file: missing.onnx
            sha256: xyz
            labels: nolabels.txt
            input: {size: [20, 30, 4]}
            preprocess: {resize: 10, crop: 224, mean: [0.5, 0.5], std: [1, 1, 0]}
            licence: MIT
            """)
        XCTAssertThrowsError(try ModelCard.load(name: "bad", weightsDirectory: fx.path("Weights"))) { error in
            let d = (error as? ExperimentError)?.diagnostics.map(short) ?? []
            XCTAssertEqual(d, [
                "bad.yaml:2:7: model file not found: '\(fx.path("Weights/missing.onnx"))'",
                "bad.yaml:3:9: `sha256` must be 64 hexadecimal digits",
                "bad.yaml:4:9: labels file not found: '\(fx.path("Weights/nolabels.txt"))'",
                "bad.yaml:5:15: `input.size` must be an integer or a pair [height, width], got 3 values",
                "bad.yaml:6:43: `preprocess.mean` must have 3 numbers, got 2",
                "bad.yaml:6:67: `preprocess.std` must be a number > 0, got 0.0",
                "bad.yaml:7:1: unknown key 'licence' in a model card; did you mean 'license'? (allowed: name, file, sha256, labels, input, preprocess, target_layer, source, license, description)",
            ])
        }
        // An experiment that uses the card reports the card's problems in the card file.
        let d = try fx.diagnostics("model: bad\nimages: images/a.png\nmethods: {saliency: {}}\n")
        XCTAssertEqual(d.first?.file, fx.path("Weights/bad.yaml"))
        XCTAssertThrowsError(try ModelCard.load(name: "nothing", weightsDirectory: fx.path("Weights")))
    }
}

/// Issue 14, item 11: labels must match the model's classes; item 8: a labels file is read
/// only when it is a regular file.
final class LabelsFileTests: XCTestCase {
    func testLabelCountMustEqualTheClassCount() throws {
        let fx = try Fixture()
        let spec = ModelSpec(name: "tiny", path: fx.path("Weights/tiny.onnx"), labelsFile: fx.path("Weights/labels.txt"),
                             preprocess: PreprocessSpec(resize: 40, crop: 32, mean: [0, 0, 0], std: [1, 1, 1]))
        XCTAssertEqual(try spec.loadLabels(classCount: 4), ["tench", "goldfish", "tabby", "tiger cat"])
        XCTAssertThrowsError(try spec.loadLabels(classCount: 1000)) { e in
            let d = (e as? ExperimentError)?.diagnostics ?? []
            XCTAssertEqual(d.map(short), ["labels.txt:1:1: the labels file has 4 labels but model 'tiny' has 1000 classes; "
                                          + "give one label per class, one per line, in class order"])
        }
    }

    func testLabelsFileThatIsADeviceIsRefused() throws {
        XCTAssertThrowsError(try ModelSpec.readLabelsFile("/dev/zero")) { e in
            XCTAssertTrue("\(e)".contains("character device"), "\(e)")
        }
    }
}
