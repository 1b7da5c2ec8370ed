import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods

/// Tiny graphs built in code for the method tests (no ONNX needed), and the pieces around them:
/// a model context, deterministic images and method parameters. Keep this API stable: the
/// perturbation tests may use it too.
enum TestModels {
    /// Preprocessing used with every test model: mean 0.5, std 0.25 per channel.
    static let preprocess = try! Preprocess(resize: 8, crop: 8, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])

    /// A linear classifier on [3, size, size]: Flatten -> Gemm (transB) with weights W [classes, 3*size*size]
    /// and bias. Logit k = W[k] . x + b[k] on the normalised input x.
    static func linear(size: Int = 4, classes: Int = 3, seed: UInt64 = 1) -> (graph: Graph, weights: Tensor) {
        var g = SeededGenerator(seed: seed)
        let d = 3 * size * size
        let w = g.tensor([classes, d], scale: 1)
        let b = g.tensor([classes], scale: 0.5)
        let graph = Graph(
            input: "image", inputShape: [3, size, size], outputs: ["logits"],
            nodes: [
                Node(name: "flatten", op: .flatten(axis: 1), inputs: ["image"], output: "flat"),
                Node(name: "fc", op: .gemm(alpha: 1, beta: 1, transA: false, transB: true), inputs: ["flat", "W", "b"], output: "logits"),
            ],
            constants: ["W": w, "b": b], source: "test-linear")
        return (graph, w)
    }

    /// Name of the last convolutional feature map of `convNet` (ReLU output, [channels, size, size]).
    static let featureLayer = "features"
    /// Name of the first conv block's output in `convNet` ([channels, size, size]).
    static let firstLayer = "block1"

    /// A small CNN on [3, size, size]: Conv3x3(3 -> channels) + ReLU ("block1"),
    /// Conv3x3(channels -> channels) + ReLU ("features"), GlobalAveragePool ("pool"),
    /// Flatten ("flat"), Gemm to `classes` logits (weights "fc.W" [classes, channels], bias "fc.b").
    static func convNet(size: Int = 8, channels: Int = 6, classes: Int = 4, seed: UInt64 = 7) -> Graph {
        var b = GraphBuilder(input: "image", shape: [3, size, size], seed: seed)
        let c1 = b.conv("image", inChannels: 3, outChannels: channels, kernel: 3, name: "conv1", output: "conv1")
        let r1 = b.add(.relu, [c1], name: "relu1", output: firstLayer)
        let c2 = b.conv(r1, inChannels: channels, outChannels: channels, kernel: 3, name: "conv2", output: "conv2")
        let r2 = b.add(.relu, [c2], name: "relu2", output: featureLayer)
        let pool = b.add(.globalAveragePool, [r2], name: "gap", output: "pool")
        let flat = b.add(.flatten(axis: 1), [pool], name: "flatten", output: "flat")
        let w = b.random([classes, channels], scale: 1, name: "fc.W")
        let bias = b.random([classes], scale: 0.1, name: "fc.b")
        b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [flat, w, bias], name: "fc", output: "logits")
        return b.build(outputs: ["logits"], source: "test-convnet")
    }

    /// A small CNN with smooth activations (Tanh, Sigmoid) so integrands along paths are smooth:
    /// Conv3x3 + Tanh ("block1"), Conv3x3 + Sigmoid ("features"), GAP, Flatten, Gemm.
    static func smoothNet(size: Int = 8, channels: Int = 5, classes: Int = 3, seed: UInt64 = 11) -> Graph {
        var b = GraphBuilder(input: "image", shape: [3, size, size], seed: seed)
        let c1 = b.conv("image", inChannels: 3, outChannels: channels, kernel: 3, name: "conv1", output: "conv1")
        let r1 = b.add(.tanh, [c1], name: "tanh1", output: firstLayer)
        let c2 = b.conv(r1, inChannels: channels, outChannels: channels, kernel: 3, name: "conv2", output: "conv2")
        let r2 = b.add(.sigmoid, [c2], name: "sig2", output: featureLayer)
        let pool = b.add(.globalAveragePool, [r2], name: "gap", output: "pool")
        let flat = b.add(.flatten(axis: 1), [pool], name: "flatten", output: "flat")
        let w = b.random([classes, channels], scale: 4, name: "fc.W")
        let bias = b.random([classes], scale: 0.1, name: "fc.b")
        b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [flat, w, bias], name: "fc", output: "logits")
        return b.build(outputs: ["logits"], source: "test-smoothnet")
    }

    /// A model context for `graph` with labels "class 0", "class 1", ...
    static func context(_ graph: Graph, targetLayer: String? = featureLayer, cache: IntermediateCache? = nil) throws -> ModelContext {
        let engine = try Engine(graph: graph)
        let labels = (0..<engine.classCount).map { "class \($0)" }
        return ModelContext(engine: engine, labels: labels, preprocess: preprocess, targetLayer: targetLayer, cache: cache)
    }

    /// A deterministic random image of the graph's input size (values in 0.05...0.95).
    static func image(for graph: Graph, seed: UInt64 = 3) -> RGBImage {
        let (h, w) = (graph.inputShape[1], graph.inputShape[2])
        var rng = SeededRandom(seed: seed)
        return RGBImage(width: w, height: h, pixels: rng.uniforms(3 * h * w, 0.05, 0.95))
    }

    /// The explanation input for `image` (normalised with `preprocess`).
    static func input(_ image: RGBImage, target: Int = 0, seed: UInt64 = 42, key: String = "test") -> ExplanationInput {
        ExplanationInput(image: image, input: preprocess.normalize(image), target: target, seed: seed, contentKey: key)
    }

    /// Parameters of method `d`: its defaults overridden by `given` (the method validates them).
    static func params(_ d: MethodDescriptor, _ given: [String: ParamValue] = [:]) -> ResolvedParams {
        ResolvedParams(specs: d.parameters, given: given)
    }

    /// The addressable tensors `names` of one forward pass of `input` ([1, ...] each).
    static func activations(_ engine: Engine, _ input: Tensor, _ names: [String]) throws -> [String: Tensor] {
        let acts = try engine.forward(input, retain: .outputsAnd(names))
        var out: [String: Tensor] = [:]
        for n in names { out[n] = acts[n] }
        return out
    }
}

/// Max |a - b| over two float arrays, printed with a label by the tests.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxDifference: \(a.count) vs \(b.count)")
    var m: Float = 0
    for i in a.indices { m = max(m, abs(a[i] - b[i])) }
    return m
}
