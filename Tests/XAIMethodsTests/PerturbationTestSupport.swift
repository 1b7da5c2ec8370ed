import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods

/// Shared pieces of the perturbation tests: textured images, linear models over pixels or
/// superpixel means (as closures and as real engine graphs) and a counting cache.
enum PerturbationFixtures {
    /// A deterministic textured image with values well inside (0, 1).
    static func image(width: Int, height: Int) -> RGBImage {
        var p = [Float](repeating: 0, count: 3 * width * height)
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    let v = 0.5 + 0.3 * sin(Float(x * (c + 2) + 3 * y) * 0.37) + 0.1 * cos(Float(y * (c + 1)) * 0.61)
                    p[(c * height + y) * width + x] = v
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: p)
    }

    static func input(_ image: RGBImage, target: Int = 0, seed: UInt64 = 1, key: String = "test-image") -> ExplanationInput {
        ExplanationInput(image: image, input: image.tensor, target: target, seed: seed, contentKey: key)
    }


    /// Per-pixel weights [3 * H * W] of the linear score sum_j a_j * mean_j(image), where mean_j
    /// is the mean over the pixels and channels of superpixel j.
    static func superpixelMeanWeights(_ seg: Segmentation, coefficients a: [Double]) -> [Float] {
        let n = seg.width * seg.height
        let sizes = seg.sizes
        var w = [Float](repeating: 0, count: 3 * n)
        for c in 0..<3 {
            for i in 0..<n {
                let l = Int(seg.labels[i])
                w[c * n + i] = Float(a[l] / (3 * Double(sizes[l])))
            }
        }
        return w
    }

    /// A scorer whose logits are [w . image + bias, 0] for pixel-space images.
    static func linearScorer(weights w: [Float], bias: Float = 0, batch: Int = 16, cache: IntermediateCache? = nil,
                             calls: Counter? = nil) -> PerturbationBatch {
        PerturbationBatch(batch: batch, cache: cache) { images in
            calls?.add(images.shape[0])
            let item = images.itemCount
            var out = [Float](repeating: 0, count: 2 * images.shape[0])
            for i in 0..<images.shape[0] {
                var s: Double = Double(bias)
                for j in 0..<item { s += Double(w[j]) * Double(images.data[i * item + j]) }
                out[2 * i] = Float(s)
            }
            return Tensor(shape: [images.shape[0], 2], data: out)
        }
    }

    /// A real engine graph computing the same two logits: Flatten, then Gemm with rows
    /// [w; 0] and bias [bias, 0]. Input [3, H, W].
    static func linearEngine(weights w: [Float], width: Int, height: Int, bias: Float = 0) throws -> Engine {
        let d = 3 * width * height
        precondition(w.count == d)
        let graph = Graph(
            input: "x", inputShape: [3, height, width], outputs: ["logits"],
            nodes: [
                Node(name: "flatten", op: .flatten(axis: 1), inputs: ["x"], output: "flat"),
                Node(name: "gemm", op: .gemm(alpha: 1, beta: 1, transA: false, transB: true),
                     inputs: ["flat", "W", "b"], output: "logits"),
            ],
            constants: ["W": Tensor(shape: [2, d], data: w + [Float](repeating: 0, count: d)),
                        "b": Tensor(shape: [2], data: [bias, 0])],
            source: "perturbation-test-linear")
        return try Engine(graph: graph)
    }

    /// A context on `engine` that does not normalise (mean 0, std 1).
    static func context(_ engine: Engine, cache: IntermediateCache? = nil) throws -> ModelContext {
        let pre = try Preprocess(resize: 16, crop: 16, mean: [0, 0, 0], std: [1, 1, 1])
        return ModelContext(engine: engine, labels: ["a", "b"], preprocess: pre, targetLayer: nil, cache: cache)
    }
}

/// Thread-safe counter of model evaluations.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ n: Int) { lock.lock(); value += n; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}
