import XCTest
import XAICore
import XAIExperiment
import XAIBackend
import XAITestSupport

/// A model without a target layer gets the suggested one where a method needs it, with a note.
final class SuggestedTargetLayersTests: TemporaryDirectoryTestCase {
    func load(_ methods: String) throws -> Experiment {
        var e = try loadWithRepositoryFiles("""
        schema: 1
        name: suggested
        model: {path: Weights/efficientnet-lite0.onnx, name: lite0}
        images: [Experiments/images/chelsea.png]
        methods:
        \(methods)
        """)
        e.models[0].targetLayer = nil  // as a bare .onnx without a card
        return e
    }

    func testCAMMethodsGetTheSuggestionAndANote() throws {
        var e = try load("  gradcam: {}\n  saliency: {}")
        var loads = 0
        let notes = try SuggestedTargetLayers.apply(to: &e) { spec in
            loads += 1
            return try LoadedModel(spec: spec)
        }
        XCTAssertEqual(e.models[0].targetLayer, "head")
        XCTAssertEqual(loads, 1)
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].hasPrefix("model 'lite0' names no target_layer: using the suggested 'head'"), notes[0])
    }

    func testNothingToSuggestWhenNoMethodNeedsALayerOrTheMethodNamesOne() throws {
        for methods in ["  saliency: {}", "  gradcam: {target_layer: blocks.6}"] {
            var e = try load(methods)
            let notes = try SuggestedTargetLayers.apply(to: &e) { _ in
                XCTFail("no model needs loading")
                throw CocoaError(.featureUnsupported)
            }
            XCTAssertEqual(notes, [])
            XCTAssertNil(e.models[0].targetLayer)
        }
    }
}
