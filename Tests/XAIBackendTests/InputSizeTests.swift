import XCTest
import XAICore
import XAIExperiment
import XAIBackend
import XAIManifest
import XAIPlanner
import XAIImaging
@testable import XAITestSupport

/// Issue 18, item 3: any input size a model accepts, and `crop: none`. A bare .onnx takes its
/// size from the file (a non-square one as the whole picture, letterboxed); a stated size that
/// differs from the model's is an error naming both; maps and pictures are what the model saw.
final class InputSizeTests: TemporaryDirectoryTestCase {
    /// Conv 3x3 (4 channels) -> ReLU `features` -> global average pool -> 10 logits, for a fixed
    /// `height x width` input, written as `models/<name>.onnx` with no card.
    func writeModel(_ name: String, height: Int, width: Int) throws {
        let b = ONNXModelBuilder.tinyClassifier(height: height, width: width)
        let dir = tmp.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try b.serialized().write(to: dir.appendingPathComponent(name + ".onnx"))
    }

    func run(_ model: String) throws -> RunResult {
        let e = try loadWithRepositoryFiles("""
        schema: 1
        name: sizes
        model: \(model)
        images: [Experiments/images/coffee.png]
        target_layer: features
        methods:
          saliency: {}
          gradcam: {}
          occlusion: {window: 8, stride: 8}
        """)
        let result = try ExperimentRunner(experiment: e, backend: EngineBackend()).run()
        XCTAssertTrue(result.report.succeeded, "\(result.report.failures)")
        return result
    }

    func testNonSquareBareModelSeesTheWholePictureLetterboxed() throws {
        try writeModel("wide", height: 24, width: 40)
        let r = try run("models/wide.onnx")
        let m = r.manifest
        XCTAssertEqual(m.models.map(\.inputSize), [[24, 40]])
        XCTAssertEqual(m.models.first?.labels, "none (10 outputs, shown as class numbers)")
        XCTAssertEqual(m.models.first?.classCount, 10)
        XCTAssertEqual(m.predictions.first?.top.first?.label.hasPrefix("class "), true)
        XCTAssertEqual(m.results.map(\.mapShape), [[24, 40], [24, 40], [24, 40]])
        // The gallery's picture is the letterboxed input: coffee.png (400x300? see below) fitted to 40x24.
        let input = try ImageIO.read(contentsOf: r.folder.appendingPathComponent(try XCTUnwrap(m.images.first?.inputs["wide"])).path)
        XCTAssertEqual([input.width, input.height], [40, 24])
        let photo = try ImageIO.read(contentsOf: tmp.appendingPathComponent("Experiments/images/coffee.png").path)
        let pre = try Preprocess(fit: .letterbox, height: 24, width: 40, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
        let expected = pre.cropped(photo)
        let worst = zip(input.pixels, expected.pixels).map { abs($0 - $1) }.max() ?? 1
        print("letterboxed input PNG vs Preprocess: max difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 0.5 / 255 + 1e-6, "the PNG holds the letterboxed picture (8-bit)")
        for r in m.results where r.overlay != nil {
            let overlay = try ImageIO.read(contentsOf: self.tmp.appendingPathComponent("Outputs/sizes").appendingPathComponent(r.overlay!).path)
            XCTAssertEqual([overlay.width, overlay.height], [40, 24], r.run)
        }
        guard case .object(let exp)? = Optional(m.experiment), case .array(let models)? = exp["models"],
              case .object(let model)? = models.first, case .object(let p)? = model["preprocess"] else {
            return XCTFail("the manifest's experiment lacks the model's preprocessing")
        }
        XCTAssertEqual(p["fit"], .string("letterbox"))
        XCTAssertEqual(p["size"], .array([.number(24), .number(40)]))
    }

    func testSquareBareModelOfAnotherSizeGetsThatCrop() throws {
        try writeModel("square", height: 32, width: 32)
        let r = try run("models/square.onnx")
        XCTAssertEqual(r.manifest.models.map(\.inputSize), [[32, 32]])
        XCTAssertEqual(r.manifest.results.map(\.mapShape), [[32, 32], [32, 32], [32, 32]])
        let spec = try LoadedModel(spec: ModelSpec(bareModel: tmp.appendingPathComponent("models/square.onnx").path,
                                                   weightsDirectory: tmp.appendingPathComponent("Weights").path)).spec
        XCTAssertEqual(spec.preprocess.crop, 32)
        XCTAssertEqual(spec.preprocess.resize, 37, "ImageNet's ratio: 32 * 256 / 224 = 36.6")
        XCTAssertNil(spec.preprocess.fit)
    }

    func testStretchIsChosenByAKey() throws {
        try writeModel("wide", height: 24, width: 40)
        let r = try run("{path: models/wide.onnx, preprocess: {crop: none, fit: stretch}}")
        let input = try ImageIO.read(contentsOf: r.folder.appendingPathComponent(try XCTUnwrap(r.manifest.images.first?.inputs["wide"])).path)
        let photo = try ImageIO.read(contentsOf: tmp.appendingPathComponent("Experiments/images/coffee.png").path)
        let expected = photo.resize(to: 40, 24)
        let worst = zip(input.pixels, expected.pixels).map { abs($0 - $1) }.max() ?? 1
        print("stretched input PNG vs resize: max difference \(worst)")
        XCTAssertLessThanOrEqual(worst, 0.5 / 255 + 1e-6)
    }

    func testStatedCropThatDiffersFromTheModelIsAnErrorNamingBoth() throws {
        try writeModel("wide", height: 24, width: 40)
        XCTAssertThrowsError(try run("{path: models/wide.onnx, preprocess: {crop: 20}}")) { error in
            XCTAssertEqual("\(error)".contains("the model takes 24x40 images, but its preprocessing gives 20x20 (crop 20 in the experiment); "
                                               + "set `preprocess: {crop: none}` or re-export the model"), true, "\(error)")
        }
    }
}
