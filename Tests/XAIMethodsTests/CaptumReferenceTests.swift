import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
import XAIONNX
@testable import XAIMethods
import XAITestSupport

/// Our DeepLIFT, DeepSHAP, DeconvNet and Gradient SHAP against Captum's on the same ONNX model
/// and inputs (Tests/Fixtures/captum, written by tools/make_captum_references.py): a small ReLU
/// CNN with max pooling, exported from PyTorch, imported by our importer. Attributions are in
/// normalised input units, [3, 32, 32]; maps are their channel sums (NCHW, per pixel).
final class CaptumReferenceTests: XCTestCase {
    static let folder = EmbeddedModel.root.appendingPathComponent("Tests/Fixtures/captum")

    struct Result: Decodable {
        var target: Int
        var logits: [Double]
        var deeplift, deeplift_shap, deconvolution, gradient_shap, gradient_shap_repeat: [Double]
    }

    struct Fixture: Decodable {
        var side: Int
        var mean, std: [Float]
        var samples: Int
        var inputs, baselines: [[Float]]
        var results: [Result]
    }

    struct Setup {
        var fixture: Fixture
        var model: ModelContext
        var preprocess: Preprocess
    }

    func setup() throws -> Setup {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("captum-reference.json"))
        let f = try JSONDecoder().decode(Fixture.self, from: data)
        let graph = try ONNXImporter.load(contentsOf: Self.folder.appendingPathComponent("relu-cnn.onnx").path)
        let pre = try Preprocess(resize: f.side, crop: f.side, mean: f.mean, std: f.std)
        let model = ModelContext(engine: try Engine(graph: graph), labels: (0..<10).map { "class \($0)" },
                                 preprocess: pre, targetLayer: nil)
        return Setup(fixture: f, model: model, preprocess: pre)
    }

    func input(_ s: Setup, _ i: Int) -> ExplanationInput {
        let img = RGBImage(width: s.fixture.side, height: s.fixture.side, pixels: s.fixture.inputs[i])
        return ExplanationInput(image: img, input: s.preprocess.normalize(img), target: s.fixture.results[i].target,
                                seed: 3, contentKey: "captum-\(i)")
    }

    /// Per-pixel channel sums of a [3 * H * W] attribution.
    func channelSum<T: BinaryFloatingPoint>(_ a: [T]) -> [Double] {
        let plane = a.count / 3
        return (0..<plane).map { p in (0..<3).reduce(0.0) { $0 + Double(a[$1 * plane + p]) } }
    }

    /// Pearson's r and the largest difference of `ours` against `captum`, printed; asserts r >= `least`.
    func agree(_ ours: [Double], _ captum: [Double], least: Double, _ what: String) {
        XCTAssertEqual(ours.count, captum.count, what)
        let n = Double(ours.count)
        let ma = ours.reduce(0, +) / n, mb = captum.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (a, b) in zip(ours, captum) { sab += (a - ma) * (b - mb); saa += (a - ma) * (a - ma); sbb += (b - mb) * (b - mb) }
        let r = sab / (saa * sbb).squareRoot()
        let diff = zip(ours, captum).map { abs($0 - $1) }.max() ?? .infinity
        let scale = captum.map(abs).max() ?? 0
        print(String(format: "%@: r = %.6f, max |ours - Captum| %.3g (largest |Captum| %.3g)", what, r, diff, scale))
        XCTAssertGreaterThanOrEqual(r, least, what)
    }

    func testLogitsMatchPyTorch() throws {
        let s = try setup()
        for i in s.fixture.inputs.indices {
            let logits = try s.model.engine.logits(input(s, i).input)
            agree(logits.data.map(Double.init), s.fixture.results[i].logits, least: 0.99999, "input \(i) logits")
            let d = zip(logits.data, s.fixture.results[i].logits).map { abs(Double($0) - $1) }.max() ?? 1
            XCTAssertLessThan(d, 1e-4)
        }
    }

    /// DeepLIFT (rescale rule, Captum's max-pool rule) against a black picture: r >= 0.99 per
    /// element and per pixel (measured: equal to float rounding).
    func testDeepLIFTMatchesCaptum() throws {
        let s = try setup()
        let black = s.preprocess.normalize(RGBImage(width: s.fixture.side, height: s.fixture.side, color: (0, 0, 0)))
        for i in s.fixture.inputs.indices {
            let x = input(s, i)
            let a = try DeepLIFT.attribute(x.input, references: black, target: x.target, rule: .rescale, engine: s.model.engine).attributions
            let ref = s.fixture.results[i].deeplift
            agree(a.data.map(Double.init), ref, least: 0.99, "input \(i) DeepLIFT per element")
            agree(channelSum(a.data), channelSum(ref), least: 0.99, "input \(i) DeepLIFT per pixel")
        }
    }

    /// DeconvNet: the rectifiers pass the positive part of the gradient (Captum's Deconvolution).
    func testDeconvNetMatchesCaptum() throws {
        let s = try setup()
        let method = try Deconvnet(params: TestModels.params(Deconvnet.descriptor, [:]))
        for i in s.fixture.inputs.indices {
            let x = input(s, i)
            let a = try method.attributions(of: x.input, for: x, model: s.model).attributions
            let ref = s.fixture.results[i].deconvolution
            agree(a.data.map(Double.init), ref, least: 0.99, "input \(i) DeconvNet per element")
            agree(channelSum(a.data), channelSum(ref), least: 0.99, "input \(i) DeconvNet per pixel")
        }
    }

    /// DeepSHAP over the four fixture backgrounds (the `baselines:` folder, each used once with
    /// `samples` = 4) is Captum's DeepLiftShap over the same four.
    func testDeepSHAPOverBackgroundFolderMatchesCaptum() throws {
        let s = try setup()
        let folder = Self.folder.appendingPathComponent("baselines").path
        let method = try DeepSHAP(params: TestModels.params(DeepSHAP.descriptor, [
            "baselines": .string(folder), "samples": .int(s.fixture.baselines.count)]))
        for i in s.fixture.inputs.indices {
            let e = try method.explain(input(s, i), model: s.model)
            agree(e.map.data.map(Double.init), channelSum(s.fixture.results[i].deeplift_shap), least: 0.99,
                  "input \(i) DeepSHAP per pixel")
        }
    }

    /// Gradient SHAP with 200 samples over the same four backgrounds, no input noise: both are
    /// Monte Carlo estimates of one expectation, so r >= 0.9 (Captum against itself with another
    /// seed is printed beside).
    func testGradientSHAPOverBackgroundFolderMatchesCaptum() throws {
        let s = try setup()
        let folder = Self.folder.appendingPathComponent("baselines").path
        let method = try GradientSHAP(params: TestModels.params(GradientSHAP.descriptor, [
            "baselines": .string(folder + "/*.png"), "samples": .int(s.fixture.samples), "stdevs": .double(0)]))
        for i in s.fixture.inputs.indices {
            let e = try method.explain(input(s, i), model: s.model)
            let r = s.fixture.results[i]
            agree(channelSum(r.gradient_shap_repeat), channelSum(r.gradient_shap), least: 0, "input \(i) Captum GradientShap, other seed")
            agree(e.map.data.map(Double.init), channelSum(r.gradient_shap), least: 0.9, "input \(i) Gradient SHAP per pixel")
        }
    }

    /// The fixture's background PNGs hold exactly the baselines Captum was given.
    func testBackgroundFilesAreTheFixtureBaselines() throws {
        let s = try setup()
        let paths = try BackgroundImages.paths(Self.folder.appendingPathComponent("baselines").path,
                                               method: GradientSHAP.kind, parameter: "baselines")
        XCTAssertEqual(paths.count, s.fixture.baselines.count)
        for (p, expected) in zip(paths, s.fixture.baselines) {
            let img = try ImageIO.read(contentsOf: p)
            let d = zip(img.pixels, expected).map { abs($0 - $1) }.max() ?? 1
            XCTAssertLessThan(d, 1e-6, p)
        }
    }
}
