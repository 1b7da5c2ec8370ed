import XCTest
import XAIMetrics
@testable import XAIExperiment
import XAICore

final class GoodFileTests: XCTestCase {
    func testFullExperimentResolves() throws {
        let fx = try Fixture()
        let e = try fx.load("""
            schema: 1
            name: cats-and-coffee
            model: tiny
            target_layer: head
            images: [images/*.png, images/sub/c.jpg]
            target: predicted
            top_k: 2
            seed: 7
            methods:
              gradcam: {}
              integrated_gradients: {baseline: black, steps: 64}
              occlusion: {window: 16, stride: 8, value: gray}
              occlusion-blur: {method: occlusion, window: [32, 32], stride: 16, value: blur}
              lime: {segmentation: quickshift, kernel_width: 0.25, samples: 1000}
              dff: {concepts: 4}
            metrics: [confidence_drop, {deletion: {steps: 20}}, insertion]
            """)
        XCTAssertEqual(e.name, "cats-and-coffee")
        XCTAssertEqual(e.schema, 1)
        XCTAssertEqual(e.seed, 7)
        XCTAssertEqual(e.topK, 2)
        XCTAssertEqual(e.target, .predicted)
        XCTAssertEqual(e.outputDirectory, fx.path("Outputs/cats-and-coffee"))
        XCTAssertEqual(e.images.map(\.id), ["a", "b", "c"])
        XCTAssertEqual(e.images.map(\.path), [fx.path("images/a.png"), fx.path("images/b.png"), fx.path("images/sub/c.jpg")])
        XCTAssertEqual(e.models.count, 1)
        let m = e.models[0]
        XCTAssertEqual(m.name, "tiny")
        XCTAssertEqual(m.path, fx.path("Weights/tiny.onnx"))
        XCTAssertEqual(m.labelsFile, fx.path("Weights/labels.txt"))
        XCTAssertEqual(m.preprocess, PreprocessSpec(resize: 40, crop: 32, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))
        XCTAssertEqual(m.targetLayer, "head")
        XCTAssertEqual(try m.loadLabels(), ["tench", "goldfish", "tabby", "tiger cat"])

        XCTAssertEqual(e.methods.map(\.name), ["gradcam", "integrated_gradients", "occlusion", "occlusion-blur", "lime", "dff"])
        XCTAssertEqual(e.methods.map(\.kind.rawValue), ["gradcam", "integrated_gradients", "occlusion", "occlusion", "lime", "dff"])
        let ig = try XCTUnwrap(e.method(named: "integrated_gradients"))
        XCTAssertEqual(try ig.params.int("steps"), 64)
        XCTAssertEqual(try ig.params.string("rule"), "gauss_legendre")   // default filled
        XCTAssertEqual(try ig.params.int("batch"), 16)
        XCTAssertEqual(try ig.params.string("colormap"), "jet")
        XCTAssertEqual(try ig.params.double("overlay_alpha"), 0.5)
        XCTAssertEqual(ig.explicitParams, ["baseline", "steps"])
        let blur = try XCTUnwrap(e.method(named: "occlusion-blur"))
        XCTAssertEqual(blur.params["window"], .int(32), "a square [h, w] pair is stored as one int")
        XCTAssertTrue(try blur.params.intPair("window") == (32, 32))
        XCTAssertEqual(try blur.params.string("score"), "probability")
        // Every declared parameter is present.
        for m in e.methods {
            XCTAssertEqual(Set(m.params.keys), Set(m.descriptor.parameters.map(\.name)), m.name)
        }
        XCTAssertEqual(e.runs.map(\.id), e.methods.map(\.name), "no sweep: one run per instance, id = instance")
        XCTAssertEqual(e.metrics.map(\.id), ["confidence_drop", "deletion", "insertion"])
        XCTAssertEqual(try e.metrics[1].params.int("steps"), 20)
        XCTAssertEqual(try e.metrics[2].params.int("steps"), 50)
        // Locations recorded for later checks.
        XCTAssertEqual(e.location("models.tiny.target_layer").line, 4)
        XCTAssertEqual(e.location("methods.occlusion.window").line, 12)
        XCTAssertEqual(e.location("methods.occlusion.window").column, 23)
        XCTAssertEqual(e.location("methods.gradcam.relu").line, 10, "falls back to the instance")
        XCTAssertEqual(e.targetLayer(for: e.runs[0], model: m), "head")
        XCTAssertEqual(e.targetLayerLocation(for: e.runs[0], model: m).line, 4)
        XCTAssertEqual(e.sourceFiles, [fx.path("exp.yaml")])
    }

    func testDefaultsAndListForms() throws {
        let fx = try Fixture()
        let e = try fx.load("""
            model: tiny
            images: images
            methods: [saliency, {smoothgrad: {base: integrated_gradients, steps: 8}}]
            target: tabby
            """, name: "my-exp.yaml")
        XCTAssertEqual(e.name, "my-exp", "name defaults to the file stem")
        XCTAssertEqual(e.images.map(\.id), ["a", "b"], "a folder gives its images, not hidden or other files, not recursive")
        XCTAssertEqual(e.target, .label("tabby"))
        XCTAssertEqual(e.topK, 1)
        XCTAssertEqual(e.seed, 0)
        XCTAssertEqual(e.metrics, [])
        let sg = try XCTUnwrap(e.method(named: "smoothgrad"))
        XCTAssertEqual(try sg.params.string("base"), "integrated_gradients")
        XCTAssertEqual(try sg.params.int("steps"), 8)
        XCTAssertEqual(try sg.params.string("reduce"), "signed_sum", "the base method's defaults are filled")
        XCTAssertEqual(try sg.params.int("samples"), 25)
        XCTAssertEqual(try sg.params.double("noise"), 0.15)
    }

    func testGlobsAndIdClashes() throws {
        let fx = try Fixture()
        let e = try fx.load("""
            model: tiny
            images: ["images/**/*.jp*g", images/a.png, other/a.png, images/a.png, "images/?.png"]
            methods: {saliency: {}}
            """)
        XCTAssertEqual(e.images.map(\.path), [fx.path("images/sub/c.jpg"), fx.path("images/sub/deep/d.jpeg"),
                                              fx.path("images/a.png"), fx.path("other/a.png"), fx.path("images/b.png")])
        XCTAssertEqual(e.images.map(\.id), ["c", "d", "a", "a-2", "b"], "duplicates kept once; clashing stems get -2")
    }

    func testInlineModelsAndSeveralModels() throws {
        let fx = try Fixture()
        try fx.write("Weights/plain.onnx", "x")
        let e = try fx.load("""
            models:
              - tiny
              - {card: tiny, name: tiny-big, preprocess: {resize: 80, crop: 64}, target_layer: block3}
              - Weights/plain.onnx
              - {path: Weights/plain.onnx, labels: [a, b], preprocess: {mean: [0, 0, 0], std: [1, 1, 1]}}
            target_layer: head
            images: images/a.png
            methods: {gradcam: {}}
            """)
        XCTAssertEqual(e.models.map(\.name), ["tiny", "tiny-big", "plain", "plain-2"])
        XCTAssertEqual(e.models.map(\.targetLayer), ["head", "block3", "head", "head"],
                       "a model's own target_layer wins over the top-level one, which wins over the card's")
        XCTAssertEqual(e.models[1].preprocess.crop, 64)
        XCTAssertEqual(e.models[1].preprocess.mean, [0.5, 0.5, 0.5], "unset preprocess keys come from the card")
        var bare = PreprocessSpec.imagenet
        bare.sizeFromModel = true
        XCTAssertEqual(e.models[2].preprocess, bare, "an .onnx without a card uses ImageNet preprocessing at the model's size")
        XCTAssertNil(e.models[2].sha256)
        XCTAssertEqual(e.models[3].labels, ["a", "b"])
        XCTAssertEqual(e.models[3].preprocess.crop, 224)
        XCTAssertEqual(e.models[3].preprocess.std, [1, 1, 1])
        XCTAssertEqual(e.location("models.tiny-big.target_layer").line, 3)
        XCTAssertEqual(e.location("models.plain.target_layer").line, 6)
    }

    func testAnnotations() throws {
        let fx = try Fixture()
        let e = try fx.load(minimalYAML.replacingOccurrences(of: "images: [images/a.png]", with: "images: images") + """

            annotations:
              b: [[1, 2, 30, 40], [5, 5, 6, 6]]
              images/a.png: {boxes: [0, 0, 10.5, 12], mask: masks/a.png}
            metrics: [localisation]
            """)
        XCTAssertEqual(e.annotations.map(\.imageID), ["a", "b"])
        XCTAssertEqual(e.annotation(for: "a")?.boxes, [BoundingBox(x0: 0, y0: 0, x1: 10.5, y1: 12)])
        XCTAssertEqual(e.annotation(for: "a")?.mask, fx.path("masks/a.png"))
        XCTAssertEqual(e.annotation(for: "b")?.boxes.count, 2)
    }

    func testExperimentIsCodable() throws {
        let fx = try Fixture()
        let e = try fx.load("""
            model: tiny
            images: images
            target: 2
            sweep: {gradcam.relu: [true, false]}
            methods:
              lime: {kernel_width: 1, samples: 10}
              gradcam: {}
            """)
        XCTAssertEqual(e.method(named: "lime")?.params["kernel_width"], .double(1))
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let data = try enc.encode(e)
        let decoder = JSONDecoder()
        decoder.userInfo[Catalogue.userInfoKey] = Catalogue.standard
        let back = try decoder.decode(Experiment.self, from: data)
        XCTAssertEqual(back.runs, e.runs)
        XCTAssertEqual(back.target, .index(2))
        XCTAssertEqual(try enc.encode(back), data)
    }
}

/// Files a glob or folder matches but cannot use are named in a note, not dropped silently.
final class SkippedFileNoteTests: XCTestCase {
    func testGlobsAndFoldersNameTheFilesTheySkip() throws {
        let fx = try Fixture()
        try fx.write("images/readme.md", "x")
        for images in ["images/*", "images"] {
            let e = try fx.load("""
                name: demo
                model: tiny
                images: \(images)
                methods: {gradcam: {}}
                """)
            XCTAssertEqual(e.images.map(\.id), ["a", "b"], images)
            XCTAssertEqual(e.notes.map(short), [
                "exp.yaml:3:9: '\(images)' matches 4 file(s); skipped 2 that are not .png/.jpg/.jpeg images: notes.txt, readme.md",
            ], images)
        }
        let clean = try fx.load("name: demo\nmodel: tiny\nimages: images/*.png\nmethods: {gradcam: {}}\n")
        XCTAssertEqual(clean.notes, [], "a glob that only matches images has nothing to say")
    }
}
