import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
@testable import XAIMetrics

/// Tiny models and inputs built in code for the metric tests.
enum MetricFixtures {
    /// Preprocessing of every test model: mean 0.5, std 0.25 per channel, so pixel 0.5 -> 0,
    /// pixel 1 -> 2, pixel 0 -> -2.
    static let preprocess = try! Preprocess(resize: 16, crop: 16, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])

    /// Side of the region model's input.
    static let size = 16
    /// The square the region model looks at: x, y in 5..<11 (36 of 256 pixels).
    static let region = (x0: 5, y0: 5, side: 6)

    static func inRegion(_ i: Int) -> Bool {
        let (x, y) = (i % size, i / size)
        return x >= region.x0 && x < region.x0 + region.side && y >= region.y0 && y < region.y0 + region.side
    }

    /// Two classes on [3, 16, 16]: logit 0 = weight x (mean of the normalised input over the
    /// region's pixels and channels), logit 1 = 0. So P(class 0) = sigmoid(logit 0) and only the
    /// region matters.
    static func regionModel(weight: Float = 1) -> Graph {
        let n = size * size
        var w = [Float](repeating: 0, count: 2 * 3 * n)
        let share = weight / Float(3 * region.side * region.side)
        for c in 0..<3 { for i in 0..<n where inRegion(i) { w[c * n + i] = share } }
        return Graph(
            input: "image", inputShape: [3, size, size], outputs: ["logits"],
            nodes: [
                Node(name: "flatten", op: .flatten(axis: 1), inputs: ["image"], output: "flat"),
                Node(name: "fc", op: .gemm(alpha: 1, beta: 1, transA: false, transB: true), inputs: ["flat", "W", "b"], output: "logits"),
            ],
            constants: ["W": Tensor(shape: [2, 3 * n], data: w), "b": Tensor(zeros: [2])], source: "test-region")
    }

    /// A linear classifier with random weights on [3, 8, 8] (Flatten -> Gemm).
    static func linear(size: Int = 8, classes: Int = 3, seed: UInt64 = 1) -> Graph {
        var g = SeededGenerator(seed: seed)
        let d = 3 * size * size
        return Graph(
            input: "image", inputShape: [3, size, size], outputs: ["logits"],
            nodes: [
                Node(name: "flatten", op: .flatten(axis: 1), inputs: ["image"], output: "flat"),
                Node(name: "fc", op: .gemm(alpha: 1, beta: 1, transA: false, transB: true), inputs: ["flat", "W", "b"], output: "logits"),
            ],
            constants: ["W": g.tensor([classes, d], scale: 1), "b": g.tensor([classes], scale: 0.5)], source: "test-linear")
    }

    /// A small CNN on [3, 8, 8]: Conv3x3 + ReLU, Conv3x3 + ReLU ("features"), GAP, Flatten, Gemm.
    static func convNet(size: Int = 8, channels: Int = 6, classes: Int = 4, seed: UInt64 = 7) -> Graph {
        var b = GraphBuilder(input: "image", shape: [3, size, size], seed: seed)
        let c1 = b.conv("image", inChannels: 3, outChannels: channels, kernel: 3, name: "conv1", output: "conv1")
        let r1 = b.add(.relu, [c1], name: "relu1", output: "block1")
        let c2 = b.conv(r1, inChannels: channels, outChannels: channels, kernel: 3, name: "conv2", output: "conv2")
        let r2 = b.add(.relu, [c2], name: "relu2", output: "features")
        let pool = b.add(.globalAveragePool, [r2], name: "gap", output: "pool")
        let flat = b.add(.flatten(axis: 1), [pool], name: "flatten", output: "flat")
        let w = b.random([classes, channels], scale: 1, name: "fc.W")
        let bias = b.random([classes], scale: 0.1, name: "fc.b")
        b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [flat, w, bias], name: "fc", output: "logits")
        return b.build(outputs: ["logits"], source: "test-convnet")
    }

    static func context(_ graph: Graph, targetLayer: String? = nil) throws -> ModelContext {
        let engine = try Engine(graph: graph)
        return ModelContext(engine: engine, labels: (0..<engine.classCount).map { "class \($0)" },
                            preprocess: preprocess, targetLayer: targetLayer)
    }

    /// Random background in 0.05...0.95 with the region set to `regionValue` (all channels).
    static func regionImage(regionValue: Float = 1, seed: UInt64 = 3) -> RGBImage {
        var rng = SeededRandom(seed: seed)
        var image = RGBImage(width: size, height: size, pixels: rng.uniforms(3 * size * size, 0.05, 0.95))
        for i in 0..<(size * size) where inRegion(i) { image.set(x: i % size, y: i / size, (regionValue, regionValue, regionValue)) }
        return image
    }

    static func randomImage(size: Int = 8, seed: UInt64 = 3) -> RGBImage {
        var rng = SeededRandom(seed: seed)
        return RGBImage(width: size, height: size, pixels: rng.uniforms(3 * size * size, 0.05, 0.95))
    }

    /// The indicator of the region as an [16, 16] map.
    static var perfectMap: Tensor {
        Tensor(shape: [size, size], data: (0..<(size * size)).map { inRegion($0) ? 1 : 0 })
    }

    /// A seeded uniform random [h, w] map.
    static func randomMap(height: Int = size, width: Int = size, seed: UInt64) -> Tensor {
        var rng = SeededRandom(seed: seed)
        return Tensor(shape: [height, width], data: rng.uniforms(height * width))
    }

    /// The region as a box in crop coordinates.
    static var regionBox: [Double] {
        [Double(region.x0), Double(region.y0), Double(region.x0 + region.side), Double(region.y0 + region.side)]
    }

    static func input(_ image: RGBImage, map: Tensor, target: Int = 0, seed: UInt64 = 42,
                      method: MethodKind = Saliency.kind, methodParams: ResolvedParams = ResolvedParams(),
                      scalars: [String: Double] = [:], boxes: [[Double]] = [], mask: [Bool]? = nil) -> MetricInput {
        MetricInput(image: image, input: preprocess.normalize(image), map: map, signed: false, target: target, seed: seed,
                    method: method, methodParams: methodParams, scalars: scalars, boxes: boxes, mask: mask, imageID: "test-image")
    }

    static func metric(_ type: any Metric.Type, _ given: [String: ParamValue] = [:]) throws -> any Metric {
        try type.init(params: ResolvedParams(given))
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
}

/// Max |a - b| over two arrays.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var m: Float = 0
    for i in a.indices { m = max(m, abs(a[i] - b[i])) }
    return m
}
