import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// The embedded model against the references of Tests/Fixtures (tools/make_references.py):
/// ONNX Runtime's logits and PyTorch's gradients for chelsea.png, fed the exact same input
/// tensor (chelsea-crop224.npy), so that only the engine's arithmetic differs. Measured: logits
/// within 6e-6, gradients and Grad-CAM within about 1e-5 of the reference's scale; the
/// tolerances (1e-4) leave room for other BLAS builds and summation orders.
final class PyTorchReferenceTests: XCTestCase {
    static let fixtures = EmbeddedModel.root.appendingPathComponent("Tests/Fixtures")

    struct Stats: Decodable {
        var shape: [Int]
        var mean, std, min, max, sum: Double
        var abs_sum: Double
    }

    struct Gradients: Decodable {
        var `class`: Int
        var torch_logit: Double
        var d_logit_d_head: Stats
        var gradcam_channel_weights: [Double]
        var gradcam_7x7: [[Double]]
        var d_logit_d_image: Stats
        var d_logit_d_image_first_pixels_r: [Double]
    }

    struct PIL: Decodable {
        var logits: [Double]
        var gradients: Gradients
    }

    struct Image: Decodable {
        var image: String
        var pil: PIL
    }

    struct Reference: Decodable {
        var model_sha256: String
        var images: [Image]
    }

    /// The chelsea reference and its input tensor [1, 3, 224, 224].
    func load() throws -> (PIL, Tensor) {
        let json = Self.fixtures.appendingPathComponent("efficientnet-lite0-reference.json")
        let npy = Self.fixtures.appendingPathComponent("chelsea-crop224.npy")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: json))
        // A fixture made from other weights compares nothing: the model's recorded hash must match.
        let recorded = try String(contentsOfFile: EmbeddedModel.path + ".sha256", encoding: .utf8)
        XCTAssertTrue(recorded.hasPrefix(reference.model_sha256), "fixture made from another model; run tools/make_references.py")
        guard let chelsea = reference.images.first(where: { $0.image.hasSuffix("chelsea.png") }) else {
            throw XCTSkip("no chelsea entry in \(json.path)")
        }
        // NumPy .npy v1.0: a 128-byte header, then little-endian float32 in C order.
        let bytes = try Data(contentsOf: npy)
        let header = String(decoding: bytes.prefix(128), as: UTF8.self)
        XCTAssertTrue(header.contains("'descr': '<f4'") && header.contains("(1, 3, 224, 224)"), header)
        let count = 3 * 224 * 224
        XCTAssertEqual(bytes.count, 128 + 4 * count)
        let values = bytes.dropFirst(128).withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        return (chelsea.pil, Tensor(shape: [1, 3, 224, 224], data: values))
    }

    /// Largest absolute difference, printed with `what`.
    @discardableResult
    func maxDiff(_ a: [Float], _ b: [Double], _ what: String) -> Double {
        XCTAssertEqual(a.count, b.count, what)
        let d = zip(a, b).map { abs(Double($0) - $1) }.max() ?? .infinity
        let scale = b.map(abs).max() ?? 0
        print(String(format: "%@: max |ours - reference| %.3g (largest |reference| %.3g)", what, d, scale))
        return d
    }

    /// Mean, std, min, max, sum and sum of |x| of `x` against the reference statistics, each
    /// within `relative` of the reference's own size (std for the mean, which can be near 0).
    func compare(_ x: [Float], _ s: Stats, relative: Double, _ what: String) {
        XCTAssertEqual(x.count, s.shape.reduce(1, *), what)
        let v = x.map(Double.init), n = Double(v.count)
        let mean = v.reduce(0, +) / n
        let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n).squareRoot()
        let ours = [mean, std, v.min() ?? 0, v.max() ?? 0, v.reduce(0, +), v.map(abs).reduce(0, +)]
        let theirs = [s.mean, s.std, s.min, s.max, s.sum, s.abs_sum]
        let scales = [s.std, s.std, abs(s.min), abs(s.max), s.abs_sum, s.abs_sum]
        let names = ["mean", "std", "min", "max", "sum", "abs_sum"]
        for k in 0..<6 {
            let d = abs(ours[k] - theirs[k]) / scales[k]
            print(String(format: "%@ %@: ours %.6g, reference %.6g, difference %.2g of scale", what, names[k], ours[k], theirs[k], d))
            XCTAssertLessThan(d, relative, "\(what) \(names[k])")
        }
    }

    func testLogitsMatchONNXRuntime() throws {
        let (reference, x) = try load()
        let logits = try EmbeddedModel.context().engine.logits(x)
        XCTAssertLessThan(maxDiff(logits.data, reference.logits, "logits vs onnxruntime"), 1e-4)
        let top = logits.data.indices.max { logits.data[$0] < logits.data[$1] }
        XCTAssertEqual(top, reference.gradients.class)
    }

    func testHeadGradientsAndGradCAMMatchPyTorch() throws {
        let (reference, x) = try load()
        let g = reference.gradients
        let model = try EmbeddedModel.context()
        let head = try model.engine.resolveTensor("head")
        let r = try TargetScore.gradients(engine: model.engine, input: x, target: g.class, wrt: [head])
        let acts = try XCTUnwrap(r.activations[head]), grads = try XCTUnwrap(r.grads[head])
        XCTAssertEqual(grads.shape, [1] + g.d_logit_d_head.shape)
        compare(grads.data, g.d_logit_d_head, relative: 1e-4, "d logit / d head")

        let weights = FeatureMap(grads).spatialMeans()
        let wScale = g.gradcam_channel_weights.map(abs).max() ?? 1
        XCTAssertLessThan(maxDiff(weights, g.gradcam_channel_weights, "Grad-CAM channel weights") / wScale, 1e-4)

        let map = FeatureMap(acts).weightedSum(weights).map { max($0, 0) }
        let want = g.gradcam_7x7.flatMap { $0 }
        let mScale = want.max() ?? 1
        XCTAssertLessThan(maxDiff(map, want, "Grad-CAM 7x7 (from the gradients)") / mScale, 1e-4)

        // The method itself, without normalisation, gives the same low-resolution map.
        let image = try Preprocess.efficientNetLite0.denormalize(x)
        let input = ExplanationInput(image: image, input: x, target: g.class, seed: 1, contentKey: "chelsea-crop224")
        let gradcam = try GradCAM(params: ResolvedParams(["normalize": .string("none")]))
        let low = try XCTUnwrap(try gradcam.explain(input, model: model).lowResolution)
        XCTAssertEqual(low.shape, [7, 7])
        XCTAssertLessThan(maxDiff(low.data, want, "Grad-CAM 7x7 (GradCAM method)") / mScale, 1e-4)
    }

    func testInputGradientMatchesPyTorch() throws {
        let (reference, x) = try load()
        let g = reference.gradients
        let grad = try TargetScore.inputGradients(engine: EmbeddedModel.context().engine, input: x, target: g.class)
        compare(grad.data, g.d_logit_d_image, relative: 1e-4, "d logit / d image")
        let scale = g.d_logit_d_image.max
        XCTAssertLessThan(maxDiff(Array(grad.data.prefix(8)), g.d_logit_d_image_first_pixels_r, "d logit / d image, red row 0") / scale, 1e-4)
    }
}
