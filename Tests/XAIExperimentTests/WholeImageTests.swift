import Foundation
import XCTest
import XAICore
@testable import XAIExperiment

/// Issue 18, item 3: `preprocess: {crop: none}` (the whole picture, letterboxed or stretched).
final class WholeImageTests: XCTestCase {
    func testCropNoneDefaultsToLetterboxAndFitChoosesStretch() throws {
        let fx = try Fixture()
        let e = try fx.load("""
            models:
              - {card: tiny, name: box, preprocess: {crop: none}}
              - {card: tiny, name: stretched, preprocess: {crop: none, fit: stretch}}
              - {path: Weights/tiny.onnx, name: bare, preprocess: {crop: none}}
            images: images/a.png
            methods: {saliency: {}}
            """)
        XCTAssertEqual(e.models.map(\.preprocess.fit), [.letterbox, .stretch, .letterbox])
        XCTAssertEqual(e.models[0].preprocess.mean, [0.5, 0.5, 0.5], "the card's normalisation stays")
        XCTAssertEqual(e.models[0].preprocess.resize, 0, "a whole picture has no shorter-side resize")
        XCTAssertNil(e.models[0].preprocess.size, "the size comes from the model when the card states no input size")
        XCTAssertTrue(e.models[2].preprocess.takesSizeFromModel)
        XCTAssertEqual(e.models[2].preprocess.fitted(toInputHeight: 24, width: 40).inputSize, [24, 40])
    }

    func testWholeImageMistakesAreReportedTogether() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics("""
            models:
              - {card: tiny, name: a, preprocess: {crop: none, fit: streetch}}
              - {card: tiny, name: b, preprocess: {crop: 32, fit: stretch}}
              - {card: tiny, name: c, preprocess: {crop: none, resize: 300}}
            images: images/a.png
            methods: {saliency: {}}
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:2:57: `preprocess.fit` must be one of letterbox, stretch, got 'streetch'; did you mean 'stretch'?",
            "exp.yaml:3:55: `preprocess.fit` applies to `crop: none` (the whole picture); a centre crop has nothing to fit",
            "exp.yaml:4:60: `preprocess.resize` applies to a centre crop; with `crop: none` the whole picture is resized to the input size",
        ])
    }

    /// A bare model's square size from the file keeps ImageNet's crop ratio; a non-square one is
    /// the whole picture; a stated crop is kept as written.
    func testFittingToTheModelsInput() {
        var bare = PreprocessSpec.imagenet
        bare.sizeFromModel = true
        let square = bare.fitted(toInputHeight: 256, width: 256)
        XCTAssertEqual([square.resize, square.crop], [293, 256])
        XCTAssertNil(square.fit)
        XCTAssertNil(square.sizeFromModel)
        let wide = bare.fitted(toInputHeight: 224, width: 320)
        XCTAssertEqual(wide.fit, .letterbox)
        XCTAssertEqual(wide.inputSize, [224, 320])
        XCTAssertEqual(PreprocessSpec.imagenet.fitted(toInputHeight: 256, width: 256), .imagenet, "a stated crop is not changed")
    }
}
