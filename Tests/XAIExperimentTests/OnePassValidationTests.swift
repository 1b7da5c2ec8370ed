import Foundation
import XCTest
@testable import XAIExperiment

/// Issue 18, item 5: every problem of an experiment in one pass. A duplicate key used to stop
/// every other check; checks that need the models (target layers) came in a later round.
final class OnePassValidationTests: XCTestCase {
    func testDuplicateKeyUnknownParameterUnknownLabelAndLayerCheckTogether() throws {
        let fx = try Fixture()
        let p = try fx.write("exp.yaml", """
            name: demo
            model: tiny
            images: images/a.png
            target: tabbby
            seed: 1
            seed: 2
            methods:
              occlusion: {window: 8, windows: 16}
              gradcam: {target_layer: haed}
            """)
        var checked: [String] = []
        XCTAssertThrowsError(try ExperimentLoader.load(path: p, catalogue: .standard, weightsDirectory: "Weights",
                                                       baseDirectory: fx.root, check: { e in
            checked = e.runs.map(\.id)
            guard let gradcam = e.runs.first(where: { $0.instance == "gradcam" }) else { return [] }
            return [ExperimentDiagnostic(e.targetLayerLocation(for: gradcam, model: e.models[0]), "no tensor named 'haed'")]
        })) { error in
            XCTAssertEqual((error as? ExperimentError)?.diagnostics.map(short), [
                "exp.yaml:4:9: `target` label 'tabbby' is not a class of model 'tiny'; did you mean 'tabby'?",
                "exp.yaml:5:1: duplicate key 'seed' in the same mapping; each key may appear once",
                "exp.yaml:8:26: unknown parameter 'windows' for occlusion; did you mean 'window'? "
                    + "(parameters: window, stride, value, score, batch, precision, colormap, overlay_alpha)",
                "exp.yaml:9:27: no tensor named 'haed'",
            ])
        }
        XCTAssertEqual(checked, ["occlusion", "gradcam"], "the check sees what resolved despite the other problems")
    }

    /// The later occurrence of a duplicate key counts, and positions after a set-aside key on the
    /// same line stay those of the file.
    func testLaterDuplicateCountsAndColumnsStayTheFiles() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics("""
            name: demo
            model: tiny
            images: images/a.png
            methods:
              occlusion: {window: 8, "window": -1, strides: 2}
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:5:15: duplicate key 'window' in the same mapping; each key may appear once",
            "exp.yaml:5:36: occlusion.window: -1 is out of range; expected an integer [1, 4096]",
            "exp.yaml:5:40: unknown parameter 'strides' for occlusion; did you mean 'stride'? "
                + "(parameters: window, stride, value, score, batch, precision, colormap, overlay_alpha)",
        ])
    }

    func testMarkedTextMapsBackToTheFile() {
        var keys = DuplicateKeys(text: "a: {b: 1, b: 2, c: 3}\n")
        XCTAssertTrue(keys.setAside(line: 1, column: 5))
        XCTAssertEqual(keys.text, "a: {\(DuplicateKeys.marker)0_b: 1, b: 2, c: 3}\n")
        let shifted = 17 + DuplicateKeys.marker.count + 2
        XCTAssertEqual(keys.original(line: 1, column: shifted).column, 17)
        XCTAssertEqual(keys.original(line: 1, column: 4).column, 4)
        XCTAssertFalse(keys.setAside(line: 3, column: 1), "no such line")
    }
}
