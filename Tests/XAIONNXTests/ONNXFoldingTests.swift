import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// Shape computations folded at load time, with the batch size kept symbolic.
final class ONNXFoldingTests: XCTestCase {
    func load(_ b: ONNXModelBuilder) throws -> Graph {
        try ONNXImporter.load(data: try b.serialized(), source: "test.onnx")
    }

    /// torch exports `x.view(x.size(0), -1)` as Shape -> Gather(0) -> Unsqueeze -> Concat ->
    /// Reshape; the batch size must stay free, i.e. "copy dimension 0".
    func testShapeFoldingChainGivesBatchFreeReshape() throws {
        for (opset, rawInts) in [(11, false), (13, true)] {
            var b = ONNXModelBuilder(opset: opset)
            b.input("x", ["N", 2, 3, 3])
            b.ints("zero", [0], shape: [], raw: rawInts)
            b.ints("minus1", [-1], shape: [1], raw: rawInts)
            b.ints("axes0", [0], raw: rawInts)
            b.node("Relu", ["x"], ["r"])
            b.node("Shape", ["r"], ["s"])
            b.node("Gather", ["s", "zero"], ["n"], [.int("axis", 0)])
            if opset < 13 {
                b.node("Unsqueeze", ["n"], ["n1"], [.ints("axes", [0])])
            } else {
                b.node("Unsqueeze", ["n", "axes0"], ["n1"])
            }
            b.node("Concat", ["n1", "minus1"], ["target"], [.int("axis", 0)])
            b.node("Reshape", ["r", "target"], ["flat"], name: "view")
            b.output("flat")
            let g = try load(b)
            XCTAssertEqual(g.nodes.map(\.op), [.relu, .reshape(shape: [0, -1])], "opset \(opset)")
            XCTAssertEqual(g.nodes.last?.inputs, ["r"])
            XCTAssertTrue(g.constants.isEmpty, "shape tensors must not reach Graph.constants")
        }
    }

    func testFoldingOfSliceCastConstantOfShapeRangeAndArithmetic() throws {
        var b = ONNXModelBuilder(opset: 13)
        b.input("x", [1, 2, 4, 4])
        // shape [N, 2, 4, 4] -> slice [1:] = [2, 4, 4] -> cast to float and back
        b.ints("one", [1]); b.ints("big", [Int(Int64.max)]); b.ints("ax0", [0])
        b.node("Shape", ["x"], ["s"])
        b.node("Slice", ["s", "one", "big", "ax0"], ["chw"])
        b.node("Cast", ["chw"], ["chwf"], [.int("to", 1)])
        b.node("Cast", ["chwf"], ["chwi"], [.int("to", 7)])
        // ReduceProd is not supported, so compute 2*4*4 = 32 by Gather + Mul.
        b.ints("i0", [0], shape: []); b.ints("i1", [1], shape: []); b.ints("i2", [2], shape: [])
        b.node("Gather", ["chwi", "i0"], ["c"]); b.node("Gather", ["chwi", "i1"], ["h"]); b.node("Gather", ["chwi", "i2"], ["w"])
        b.node("Mul", ["c", "h"], ["ch"]); b.node("Mul", ["ch", "w"], ["chw_n"])
        b.node("Unsqueeze", ["chw_n", "ax0"], ["chw1"])
        // Range(0, 1, 1) = [0] then Sub(0 - 1) = -1 for the batch entry
        b.ints("r0", [0], shape: []); b.ints("r1", [1], shape: [])
        b.node("Range", ["r0", "r1", "r1"], ["rng"])
        b.node("Sub", ["rng", "one"], ["m1"])
        b.node("Concat", ["m1", "chw1"], ["target"], [.int("axis", 0)])
        // ConstantOfShape([1]) of 0.5 multiplies the input.
        b.node("ConstantOfShape", ["one"], ["half"], [.tensor("value", ONNXModelBuilder.floatTensor("", [1], [0.5]))])
        b.node("Mul", ["x", "half"], ["xh"])
        b.node("Reshape", ["xh", "target"], ["y"])
        b.output("y")
        let g = try load(b)
        XCTAssertEqual(g.nodes.map(\.op), [.mul, .reshape(shape: [-1, 32])])
        XCTAssertEqual(g.constants["half"], Tensor(shape: [1], data: [0.5]))
    }

    func testSqueezeAndUnsqueezeOnRuntimeTensorsBecomeReshapes() throws {
        var b = ONNXModelBuilder(opset: 11)
        b.input("x", ["N", 4, 5, 5])
        b.node("ReduceMean", ["x"], ["m"], [.ints("axes", [2, 3]), .int("keepdims", 1)])
        b.node("Squeeze", ["m"], ["s"], [.ints("axes", [2, 3])])
        b.node("Unsqueeze", ["s"], ["u"], [.ints("axes", [2])])
        b.output("u")
        let g = try load(b)
        XCTAssertEqual(g.nodes.map(\.op), [.reduceMean(axes: [2, 3], keepDims: true), .reshape(shape: [0, 4]),
                                           .reshape(shape: [0, 4, 1])])
    }

    func testFixedBatchOneReshapeStaysBatchFree() throws {
        var b = ONNXModelBuilder()
        b.input("x", [1, 2, 3, 3])
        b.ints("shape", [1, 18])
        b.node("Reshape", ["x", "shape"], ["y"])
        b.output("y")
        XCTAssertEqual(try load(b).nodes.map(\.op), [.reshape(shape: [0, 18])])
    }

    func testConstantNodesAndConstantOperands() throws {
        var b = ONNXModelBuilder(opset: 13)
        b.input("x", [1, 2, 2, 2])
        b.node("Constant", [], ["k"], [.tensor("value", ONNXModelBuilder.floatTensor("", [1, 2, 1, 1], [2, 3]))])
        b.node("Constant", [], ["one"], [.float("value_float", 1)])
        b.node("Add", ["k", "one"], ["k1"])
        b.node("Mul", ["x", "k1"], ["y"])
        b.output("y")
        let g = try load(b)
        XCTAssertEqual(g.nodes.map(\.op), [.mul])
        XCTAssertEqual(g.nodes[0].inputs, ["x", "k1"])
        XCTAssertEqual(g.constants["k1"], Tensor(shape: [1, 2, 1, 1], data: [3, 4]))
    }
}
