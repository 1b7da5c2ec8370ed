import XCTest
import XAIMetrics
@testable import XAIExperiment
import XAICore

final class BadFileTests: XCTestCase {
    private let methodNames = Catalogue.standard.methods.map(\.kind.rawValue).joined(separator: ", ")
    private let metricNames = Catalogue.standard.metrics.map(\.kind.rawValue).joined(separator: ", ")

    func testUnknownKeysWithSuggestionsAndAllErrorsAtOnce() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics("""
            name: demo
            modle: tiny
            images: [images/a.png, images/zzz.png, "nothing/*.png"]
            seed: -1
            top_k: many
            methods:
              gradcam: {relu: maybe, normalise: minmax}
              occlusion: {window: 0, stride: 8, value: grey}
              occlusoin: {}
              integrated_gradients: {steps: 50.5, baseline: 1.5}
            metrics: [deletion, delection]
            """)
        let lines = d.map(short)
        print(lines.joined(separator: "\n"))
        XCTAssertEqual(lines, [
            "exp.yaml:2:1: unknown key 'modle' in the experiment; did you mean 'model'? (allowed: schema, name, model, models, target_layer, images, target, top_k, seed, max_tasks, precision, methods, sweep, metrics, annotations)",
            "exp.yaml:3:24: image not found: 'images/zzz.png'",
            "exp.yaml:3:40: 'nothing/*.png' matches no files",
            "exp.yaml:4:7: `seed` must be at least 0, got -1",
            "exp.yaml:5:8: `top_k` must be an integer, got 'many'",
            "exp.yaml:7:19: gradcam.relu: expected true or false, got a string 'maybe'",
            "exp.yaml:7:26: unknown parameter 'normalise' for gradcam; did you mean 'normalize'? (parameters: target_layer, relu, normalize, colormap, overlay_alpha)",
            "exp.yaml:8:23: occlusion.window: 0 is out of range; expected an integer [1, 4096]",
            "exp.yaml:8:44: occlusion.value: expected one of gray | black | white | mean | blur | noise or a number [0, 1], got a string 'grey'; did you mean 'gray'?",
            "exp.yaml:9:3: unknown method 'occlusoin'; did you mean 'occlusion'?; a named instance needs `method: KIND` (one of: \(methodNames))",
            "exp.yaml:10:33: integrated_gradients.steps: expected an integer [1, 100000], got a number '50.5'",
            "exp.yaml:10:49: integrated_gradients.baseline: 1.5 is out of range; expected a number [0, 1]",
            "exp.yaml:11:21: unknown metric 'delection'; did you mean 'deletion'? (metrics: \(metricNames))",
        ])
    }

    func testDiagnosticFormat() {
        let d = ExperimentDiagnostic(file: "Experiments/x.yaml", line: 3, column: 7, message: "boom")
        XCTAssertEqual(d.description, "Experiments/x.yaml:3:7: boom")
        XCTAssertEqual(ExperimentError.invalid([d, d]).description, "Experiments/x.yaml:3:7: boom\nExperiments/x.yaml:3:7: boom")
    }

    func testSyntaxErrorAndDuplicateKey() throws {
        let fx = try Fixture()
        let syntax = try fx.diagnostics("name: demo\nimages: [a.png\nmethods: {}\n")
        XCTAssertEqual(syntax.count, 1)
        XCTAssertEqual(syntax.first?.line, 3)
        XCTAssertTrue(syntax.first?.message.hasPrefix("YAML syntax error") ?? false, syntax.first?.message ?? "")

        let dup = try fx.diagnostics("""
            name: demo
            model: tiny
            images: images/a.png
            methods:
              occlusion: {window: 8, window: 16}
            """)
        XCTAssertEqual(dup.map(short), ["exp.yaml:5:15: duplicate key 'window' in the same mapping; each key may appear once"])
        let dupTop = try fx.diagnostics("seed: 1\nseed: 2\n")
        // A duplicate key no longer hides the file's other problems (issue 18).
        XCTAssertEqual(dupTop.map(short), [
            "exp.yaml:1:1: duplicate key 'seed' in the same mapping; each key may appear once",
            "exp.yaml:1:1: unknown model 'efficientnet-lite0': no model card '\(fx.path("Weights/efficientnet-lite0.yaml"))' (cards: tiny)",
            "exp.yaml:1:1: `images:` is required (files, folders or globs such as Experiments/images/*.png)",
            "exp.yaml:1:1: `methods:` is required, e.g. methods: {gradcam: {}, occlusion: {window: 16}}",
        ])
    }

    /// A tab in the indentation is named as a tab, at its column (libyaml says "found character
    /// that cannot start any token").
    func testTabInIndentationIsReportedAsATab() throws {
        let fx = try Fixture()
        let top = try fx.diagnostics("name: demo\nmethods:\n\tgradcam: {}\n")
        XCTAssertEqual(top.map(short), ["exp.yaml:3:1: a tab character: YAML indents with spaces only; replace the tab with spaces"])
        let nested = try fx.diagnostics("name: demo\nmethods:\n  gradcam: {}\n  \tlime: {}\n")
        XCTAssertEqual(nested.map(short), ["exp.yaml:4:3: a tab character: YAML indents with spaces only; replace the tab with spaces"])
    }

    func testWrongTypesAndShapes() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics("""
            name: [a]
            model: tiny
            images: {a: b}
            target: [1]
            methods: [42, {a: 1, b: 2}]
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:1:7: `name` must be a text value, got a list",
            "exp.yaml:3:9: `images` must be a path or a non-empty list of paths, got a mapping",
            "exp.yaml:4:9: `target` must be `predicted`, a class index or a label, got a list",
            "exp.yaml:5:11: unknown method '42'; a named instance needs `method: KIND` (one of: \(methodNames))",
            "exp.yaml:5:15: each entry of `methods` must be a method name or `NAME: {parameters}`",
        ])
        let notMapping = try fx.diagnostics("- a\n- b\n")
        XCTAssertEqual(notMapping.map(short), ["exp.yaml:1:1: an experiment file must be a YAML mapping of settings (name:, images:, methods:, ...), got a list"])
        let empty = try fx.diagnostics("")
        XCTAssertEqual(empty.map(short), ["exp.yaml:1:1: the experiment file is empty"])
    }

    func testNameSafety() throws {
        let fx = try Fixture()
        for bad in ["../evil", "a/b", "a\\\\b", ".hidden", "\"\"", "..", "\"a b\"", "/abs", "-rf", String(repeating: "x", count: 101)] {
            let d = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "name: demo", with: "name: \(bad)"))
            XCTAssertEqual(d.count, 1, bad)
            XCTAssertEqual(d.first.map { "\($0.line):\($0.column)" }, "1:7", bad)
            XCTAssertTrue(d.first?.message.contains("a name that becomes a file name must be 1 to 100 bytes") ?? false, d.first?.message ?? "")
        }
        for good in ["demo", "cats-and-coffee", "v1.2_x+y", "A", "x..y", String(repeating: "x", count: 100)] {
            XCTAssertNoThrow(try fx.load(minimalYAML.replacingOccurrences(of: "name: demo", with: "name: \(good)")), good)
        }
        let stem = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "name: demo\n", with: ""), name: ".x.yaml")
        XCTAssertEqual(stem.map(short), [".x.yaml:1:1: no `name:` given and the file name '.x' is not a plain folder name (1 to 100 bytes of letters, digits, '.', '_', '+' and '-', starting with a letter, digit or '_'); add `name:`"])
    }

    func testModelErrors() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics("""
            models:
              - tiyn
              - missing.onnx
              - {path: Weights/tiny.onnx, bogus: 1, preprocess: {crop: 0}}
              - {name: x}
            images: images/a.png
            methods: {saliency: {}}
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:2:5: unknown model 'tiyn': no model card '\(fx.path("Weights/tiyn.yaml"))'; did you mean 'tiny'? (cards: tiny)",
            "exp.yaml:3:5: model file not found: '\(fx.path("missing.onnx"))'",
            "exp.yaml:4:31: unknown key 'bogus' in a model (allowed: name, card, path, sha256, labels, preprocess, target_layer)",
            "exp.yaml:4:60: `preprocess.crop` (a size, or `none`) must be at least 1, got 0",
            "exp.yaml:5:5: an inline model needs `path:` (an .onnx file) or `card:` (a model card)",
        ].map { $0 })
        let both = try fx.diagnostics("model: tiny\nmodels: [tiny]\nimages: images/a.png\nmethods: {saliency: {}}\n")
        XCTAssertEqual(both.map(short), ["exp.yaml:2:9: give either `model:` or `models:`, not both (`model:` is at line 1)"])
    }

    func testLabelsOfAModelWithoutThem() throws {
        let fx = try Fixture()
        try fx.write("Weights/plain.onnx", "x")
        let d = try fx.diagnostics("""
            model: Weights/plain.onnx
            images: images/a.png
            target: tabbby
            methods:
              gradcam: {}
              hirescam: {target_layer: conv5}
              saliency: {}
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:3:9: `target` label 'tabbby' cannot be looked up: model 'plain' has no labels (use a class index)",
        ])
        let labels = try fx.diagnostics(minimalYAML + "\ntarget: tabbby\n")
        XCTAssertEqual(labels.map(short), ["exp.yaml:6:9: `target` label 'tabbby' is not a class of model 'tiny'; did you mean 'tabby'?"])
        let index = try fx.diagnostics(minimalYAML + "\ntarget: 4\ntop_k: 3\n")
        XCTAssertEqual(index.map(short), [
            "exp.yaml:6:9: `target` class index 4 is out of range: model 'tiny' has 4 classes",
            "exp.yaml:7:8: `top_k` applies only to `target: predicted`; an explicit class is one target",
        ])
    }

    func testImageErrors() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics("""
            model: tiny
            images: [images/notes.txt, "images/*.txt", masks/b.png, other]
            methods: {saliency: {}}
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:2:10: 'images/notes.txt' is not a PNG or JPEG file (expected .png, .jpg or .jpeg)",
            "exp.yaml:2:28: 'images/*.txt' matches 1 file(s) but no .png/.jpg/.jpeg images",
            "exp.yaml:2:44: image not found: 'masks/b.png'; did you mean 'a.png'?",
        ])
        let missing = try fx.diagnostics("model: tiny\nmethods: {saliency: {}}\n")
        XCTAssertEqual(missing.map(short), ["exp.yaml:1:1: `images:` is required (files, folders or globs such as Experiments/images/*.png)"])
    }

    func testAnnotationAndMetricErrors() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics(minimalYAML + """

            metrics: [localisation, {deletion: {stepz: 3}}, {sparseness: {x: 1}}, deletion, deletion]
            annotations:
              zebra: [[0, 0, 1, 1]]
              a: {boxes: [[5, 5, 1, 1]], mask: masks/zz.png, label: cat}
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:6:37: unknown parameter 'stepz' for metric deletion; did you mean 'steps'? (parameters: steps, value, batch, precision)",
            "exp.yaml:6:63: unknown parameter 'x' for metric sparseness (it takes none)",
            "exp.yaml:6:71: metric deletion is listed twice with the same parameters (first at line 6)",
            "exp.yaml:6:81: metric deletion is listed twice with the same parameters (first at line 6)",
            "exp.yaml:8:3: annotation for unknown image 'zebra' (give an image id, path or file name from `images:`)",
            "exp.yaml:9:15: a box [x0, y0, x1, y1] needs x1 > x0 and y1 > y0 (original-image pixels), got [5.0, 5.0, 1.0, 1.0]",
            "exp.yaml:9:36: mask file not found: 'masks/zz.png'",
            "exp.yaml:9:50: unknown key 'label' in the annotation of 'a' (allowed: boxes, mask)",
        ])
    }
}
