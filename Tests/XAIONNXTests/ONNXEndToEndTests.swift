import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// Import -> Engine.forward against hand computations, including batched runs of graphs
/// whose shape arithmetic was folded with a symbolic batch size.
final class ONNXEndToEndTests: XCTestCase {
    func engine(_ b: ONNXModelBuilder, inputSize: (height: Int, width: Int)? = nil) throws -> Engine {
        let g = try ONNXImporter.load(data: try b.serialized(), source: "e2e.onnx", inputSize: inputSize)
        // Unfused and unfolded, so every imported node runs as written.
        return try Engine(graph: g, options: .init(foldBatchNorm: false, fuseActivations: false))
    }

    func check(_ got: Tensor, _ want: Tensor, tolerance: Float = 1e-4, _ what: String,
               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.shape, want.shape, what, file: file, line: line)
        guard got.count == want.count else { return }
        let d = got.maxAbsDifference(want)
        print("\(what): max |difference| \(d)")
        XCTAssertLessThanOrEqual(d, tolerance, what, file: file, line: line)
    }

    func testConvNetMatchesHandComputation() throws {
        for raw in [true, false] {
            let b = ONNXImportTests.convNet(rawWeights: raw)
            let e = try engine(b)
            let g = e.graph
            let x = NaiveReference.ramp([3, 3, 8, 8])
            XCTAssertEqual(g.inputShape, [3, 8, 8])
            let imported = try ONNXImporter.load(data: try b.serialized(), source: "e2e.onnx")
            func w(_ k: String) -> Tensor { imported.constants[k] ?? Tensor(zeros: [0]) }
            var y = NaiveReference.conv(x, w("conv.w"), w("conv.b"), pads: (1, 1, 1, 1))
            y = NaiveReference.batchNorm(y, scale: w("bn.scale").data, bias: w("bn.bias").data, mean: w("bn.mean").data,
                                         variance: w("bn.var").data, epsilon: 1e-3)
            y = NaiveReference.map(y) { max($0, 0) }
            y = NaiveReference.maxPool(y, kernel: 2, stride: 2)
            y = NaiveReference.globalAveragePool(y)
            y = NaiveReference.linear(y, w("fc.w"), w("fc.b"))
            check(try e.logits(x), y, "convnet (raw_data \(raw)) batch 3")
        }
    }

    /// The folded Shape -> Gather -> Unsqueeze -> Concat -> Reshape must run at any batch size.
    func testShapeFoldedReshapeRunsBatched() throws {
        let e = try engine(CorpusModels.shapeFolding())
        for n in [1, 4] {
            let x = NaiveReference.ramp([n, 2, 4, 4], seed: n)
            let want = Tensor(shape: [n, 32], data: x.data.map { max($0, 0) * 0.5 })
            check(try e.logits(x), want, "shape-folded reshape, batch \(n)")
        }
    }

    func testSameUpperDepthwiseConvAndSoftmaxOpset11() throws {
        var b = ONNXModelBuilder(opset: 11)
        b.input("x", ["N", 2, 5, 5])
        b.weight("w", [2, 1, 3, 3])
        b.weight("lo", [], [-0.5]); b.weight("hi", [], [0.5])
        b.node("Conv", ["x", "w"], ["c"], [.string("auto_pad", "SAME_UPPER"), .ints("strides", [2, 2]), .int("group", 2)])
        b.node("Clip", ["c", "lo", "hi"], ["clipped"])
        b.node("Softmax", ["clipped"], ["p"])
        b.output("p")
        let e = try engine(b)
        let x = NaiveReference.ramp([2, 2, 5, 5])
        let w = try ONNXImporter.load(data: try b.serialized(), source: "e2e.onnx").constants["w"] ?? Tensor(zeros: [0])
        // 5 -> 3 outputs at stride 2: total padding (3-1)*2 + 3 - 5 = 2, one on each side.
        var y = NaiveReference.conv(x, w, nil, stride: 2, pads: (1, 1, 1, 1), groups: 2)
        y = NaiveReference.map(y) { min(max($0, -0.5), 0.5) }
        y = NaiveReference.softmaxPerItem(y)
        check(try e.logits(x), y, "depthwise SAME_UPPER conv + clip + opset-11 softmax")
    }

    func testNHWCModelTakesNCHWInput() throws {
        let b = CorpusModels.nhwc()
        let e = try engine(b)
        let g = try ONNXImporter.load(data: try b.serialized(), source: "e2e.onnx")
        XCTAssertEqual(e.graph.inputShape, [3, 6, 6])
        let x = NaiveReference.ramp([2, 3, 6, 6])
        var y = NaiveReference.conv(x, g.constants["w"] ?? Tensor(zeros: [0]), nil, pads: (1, 1, 1, 1))
        y = NaiveReference.map(y) { max($0, 0) }
        let flat = y.reshaped([2, 72])
        // dense is [72, 5] (MatMul layout); transpose it for the [M, K] reference.
        let d = g.constants["dense"] ?? Tensor(zeros: [0])
        let dT = Tensor(shape: [5, 72], data: (0..<360).map { i in d.data[(i % 72) * 5 + i / 72] })
        let logits = NaiveReference.linear(flat, dT, g.constants["dense_b"] ?? Tensor(zeros: [0]))
        check(try e.logits(x), NaiveReference.softmaxPerItem(logits), "tf2onnx-style NHWC model")
    }

    func testLayersModelRunsAcrossOpsets() throws {
        // Opset 11 and 18 spell Clip, Pad and ReduceMean differently; the results must agree.
        let x = NaiveReference.ramp([2, 4, 6, 6])
        let a = try engine(CorpusModels.layers(opset: 11)).logits(x)
        let b = try engine(CorpusModels.layers(opset: 18)).logits(x)
        let c = try engine(CorpusModels.layers(opset: 10)).logits(x)
        check(a, b, tolerance: 1e-6, "layers opset 11 vs 18")
        check(a, c, tolerance: 1e-6, "layers opset 11 vs 10")
        XCTAssertEqual(a.shape, [2, 4])
        for i in 0..<2 { XCTAssertEqual(a.data[(i * 4)..<(i * 4 + 4)].reduce(0, +), 1, accuracy: 1e-5) }
    }
}
