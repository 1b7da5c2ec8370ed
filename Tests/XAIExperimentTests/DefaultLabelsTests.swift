import Foundation
import XCTest
@testable import XAIExperiment

/// Issue 18, item 3: a bare .onnx gets ImageNet-1k's labels when it has 1000 outputs, numbers
/// otherwise, and the loader checks class names against the default ones.
final class DefaultLabelsTests: XCTestCase {
    /// A fixture whose Weights/ holds a 1000-line ImageNet-1k labels file and a bare `bare.onnx`.
    private func fixture() throws -> Fixture {
        let fx = try Fixture()
        var names = (0..<1000).map { "class \($0)" }
        names[967] = "espresso"
        try fx.write("Weights/" + ModelSpec.imagenetLabelsFileName, names.joined(separator: "\n") + "\n")
        try fx.write("models/bare.onnx", "not really onnx")
        return fx
    }

    func testBareModelWithAThousandOutputsGetsImageNetLabels() throws {
        let fx = try fixture()
        let spec = ModelSpec(bareModel: fx.path("models/bare.onnx"), weightsDirectory: fx.path("Weights"))
        XCTAssertEqual(spec.defaultLabelsFile, fx.path("Weights/imagenet-classes.txt"))
        let classes = try spec.classLabels(classCount: 1000)
        XCTAssertEqual(classes.origin, .imagenetDefault)
        XCTAssertEqual(classes.name(967), "espresso")
        XCTAssertEqual(classes.note, "imagenet-1k (default for 1000 outputs)")
        XCTAssertNil(try spec.loadLabels(), "the default is not the model's own")
    }

    func testBareModelWithOtherOutputsKeepsNumbers() throws {
        let fx = try fixture()
        let spec = ModelSpec(bareModel: fx.path("models/bare.onnx"), weightsDirectory: fx.path("Weights"))
        let classes = try spec.classLabels(classCount: 10)
        XCTAssertEqual(classes.origin, .numbers)
        XCTAssertEqual(classes.names, [])
        XCTAssertEqual(classes.name(3), "class 3")
        XCTAssertEqual(classes.note, "none (10 outputs, shown as class numbers)")
    }

    func testNoImageNetFileInTheWeightsFolderMeansNumbers() throws {
        let fx = try Fixture()
        try fx.write("models/bare.onnx", "x")
        let spec = ModelSpec(bareModel: fx.path("models/bare.onnx"), weightsDirectory: fx.path("Weights"))
        XCTAssertNil(spec.defaultLabelsFile)
        XCTAssertEqual(try spec.classLabels(classCount: 1000).origin, .numbers)
    }

    func testCardLabelsAreTheModelsOwn() throws {
        let fx = try fixture()
        let e = try fx.load("model: tiny\nimages: images/a.png\nmethods: {saliency: {}}\n")
        XCTAssertNil(e.models[0].defaultLabelsFile)
        XCTAssertEqual(try e.models[0].classLabels(classCount: 4).origin, .given)
        XCTAssertNil(try e.models[0].classLabels(classCount: 4).note)
    }

    /// `target:` on a bare model is checked against the default labels, with a did-you-mean.
    func testTargetLabelOfABareModelIsCheckedAgainstTheDefault() throws {
        let fx = try fixture()
        let e = try fx.load("model: models/bare.onnx\nimages: images/a.png\ntarget: espresso\nmethods: {saliency: {}}\n")
        XCTAssertEqual(e.models[0].defaultLabelsFile, fx.path("Weights/imagenet-classes.txt"))
        let d = try fx.diagnostics("model: models/bare.onnx\nimages: images/a.png\ntarget: espreso\nmethods: {saliency: {}}\n")
        XCTAssertEqual(d.map(short), ["exp.yaml:3:9: `target` label 'espreso' is not a class of model 'bare' (it has no labels; "
                                      + "ImageNet-1k's apply if it has 1000 outputs); did you mean 'espresso'?"])
    }

    /// Labels given in the experiment replace the default.
    func testInlineLabelsReplaceTheDefault() throws {
        let fx = try fixture()
        let e = try fx.load("model: {path: models/bare.onnx, labels: Weights/labels.txt}\nimages: images/a.png\nmethods: {saliency: {}}\n")
        XCTAssertNil(e.models[0].defaultLabelsFile)
        XCTAssertEqual(try e.models[0].classLabels(classCount: 4).names, ["tench", "goldfish", "tabby", "tiger cat"])
    }
}
