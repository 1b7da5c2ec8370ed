import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// Structural checks of the graphs the importer produces from small models built in Swift.
final class ONNXImportTests: XCTestCase {
    func load(_ b: ONNXModelBuilder, inputSize: (height: Int, width: Int)? = nil) throws -> Graph {
        try ONNXImporter.load(data: try b.serialized(), source: "test.onnx", inputSize: inputSize)
    }

    func op(_ g: Graph, _ output: String) -> Op? { g.nodes.first { $0.output == output }?.op }

    /// Conv -> BN -> Relu -> MaxPool -> GlobalAveragePool -> Flatten -> Gemm, the skeleton of
    /// every torchvision classifier.
    static func convNet(opset: Int = 13, rawWeights: Bool = true) -> ONNXModelBuilder {
        var b = ONNXModelBuilder(opset: opset)
        b.input("image", ["batch", 3, 8, 8])
        b.weight("conv.w", [4, 3, 3, 3], raw: rawWeights)
        b.weight("conv.b", [4], raw: rawWeights)
        for (k, v) in [("bn.scale", Float(1.5)), ("bn.bias", 0.1), ("bn.mean", 0.2), ("bn.var", 0.8)] {
            b.weight(k, [4], [v, v + 0.1, v + 0.2, v + 0.3], raw: rawWeights)
        }
        b.weight("fc.w", [5, 4], raw: rawWeights)
        b.weight("fc.b", [5], raw: rawWeights)
        b.node("Conv", ["image", "conv.w", "conv.b"], ["c1"], name: "conv1",
               [.ints("kernel_shape", [3, 3]), .ints("pads", [1, 1, 1, 1]), .ints("strides", [1, 1])])
        b.node("BatchNormalization", ["c1", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["b1"], name: "bn1",
               [.float("epsilon", 1e-3)])
        b.node("Relu", ["b1"], ["r1"], name: "relu1")
        b.node("MaxPool", ["r1"], ["p1"], name: "pool1", [.ints("kernel_shape", [2, 2]), .ints("strides", [2, 2])])
        b.node("GlobalAveragePool", ["p1"], ["gap"])
        b.node("Flatten", ["gap"], ["flat"], [.int("axis", 1)])
        b.node("Gemm", ["flat", "fc.w", "fc.b"], ["logits"], name: "fc", [.int("transB", 1)])
        b.output("logits")
        return b
    }

    func testConvBNReluPoolGemmGraph() throws {
        let g = try load(Self.convNet())
        XCTAssertEqual(g.input, "image")
        XCTAssertEqual(g.inputShape, [3, 8, 8])
        XCTAssertEqual(g.outputs, ["logits"])
        XCTAssertEqual(g.source, "test.onnx")
        XCTAssertEqual(g.nodes.map(\.output), ["c1", "b1", "r1", "p1", "gap", "flat", "logits"])
        XCTAssertEqual(g.nodes.map(\.name), ["conv1", "bn1", "relu1", "pool1", "GlobalAveragePool_4", "Flatten_5", "fc"])
        XCTAssertEqual(op(g, "c1"), .conv(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))))
        XCTAssertEqual(g.nodes[0].inputs, ["image", "conv.w", "conv.b"])
        XCTAssertEqual(op(g, "b1"), .batchNorm(epsilon: 1e-3))
        XCTAssertEqual(g.nodes[1].inputs, ["c1", "bn.scale", "bn.bias", "bn.mean", "bn.var"])
        XCTAssertEqual(op(g, "p1"), .maxPool(Pool2D(kernel: (2, 2), stride: (2, 2))))
        XCTAssertEqual(op(g, "flat"), .flatten(axis: 1))
        XCTAssertEqual(op(g, "logits"), .gemm(alpha: 1, beta: 1, transA: false, transB: true))
        XCTAssertEqual(Set(g.constants.keys), ["conv.w", "conv.b", "bn.scale", "bn.bias", "bn.mean", "bn.var", "fc.w", "fc.b"])
        XCTAssertEqual(g.constants["conv.w"]?.shape, [4, 3, 3, 3])
        XCTAssertEqual(g.constants["bn.var"]?.data ?? [], [0.8, 0.9, 1.0, 1.1], accuracy: 1e-6)
    }

    func testRawDataAndFloatDataInitializersAgree() throws {
        let raw = try load(Self.convNet(rawWeights: true))
        let typed = try load(Self.convNet(rawWeights: false))
        XCTAssertEqual(raw.constants.count, typed.constants.count)
        for (k, v) in raw.constants {
            XCTAssertEqual(typed.constants[k], v, "initializer \(k)")
        }
    }

    func testDoubleAndInt32InitializersConvertToFloat() throws {
        var b = ONNXModelBuilder()
        b.input("x", [1, 2, 2, 2])
        var d = Xai_Onnx_TensorProto()
        d.name = "scale"; d.dims = [1, 2, 1, 1]; d.dataType = 11; d.doubleData = [0.5, -2.25]
        var r = Xai_Onnx_TensorProto()
        r.name = "shift"; r.dims = [2, 1, 1]; r.dataType = 11
        var bytes = Data()
        for v in [1.0, 3.0] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        r.rawData = bytes
        b.model.graph.initializer += [d, r]
        b.node("Mul", ["x", "scale"], ["m"])
        b.node("Add", ["m", "shift"], ["y"])
        b.output("y")
        let g = try load(b)
        XCTAssertEqual(g.constants["scale"], Tensor(shape: [1, 2, 1, 1], data: [0.5, -2.25]))
        XCTAssertEqual(g.constants["shift"], Tensor(shape: [2, 1, 1], data: [1, 3]))
        XCTAssertEqual(g.nodes.map(\.op), [.mul, .add])
    }

    func testAutoPadVariants() throws {
        // 7x7 input, 3x3 kernel, stride 2: out 4, total pad = (4-1)*2 + 3 - 7 = 2 -> 1/1.
        // 8x8 input, 3x3 kernel, stride 2: out 4, total pad = 6 + 3 - 8 = 1 -> 0/1 upper, 1/0 lower.
        // The pool (3x3, stride 2) then sees a 4x4 map for SAME (total pad 1) and 3x3 otherwise.
        let cases: [(Int, String, (Int, Int, Int, Int), (Int, Int, Int, Int))] = [
            (7, "SAME_UPPER", (1, 1, 1, 1), (0, 0, 1, 1)), (8, "SAME_UPPER", (0, 0, 1, 1), (0, 0, 1, 1)),
            (8, "SAME_LOWER", (1, 1, 0, 0), (1, 1, 0, 0)), (8, "VALID", (0, 0, 0, 0), (0, 0, 0, 0)),
            (8, "NOTSET", (0, 0, 0, 0), (0, 0, 0, 0)),
        ]
        for (size, mode, pads, poolPads) in cases {
            var b = ONNXModelBuilder()
            b.input("x", [1, 2, .value(size), .value(size)])
            b.weight("w", [2, 1, 3, 3])
            b.node("Conv", ["x", "w"], ["c"], [.string("auto_pad", mode), .ints("strides", [2, 2]), .int("group", 2)])
            b.node("MaxPool", ["c"], ["p"], [.string("auto_pad", mode), .ints("kernel_shape", [3, 3]), .ints("strides", [2, 2])])
            b.output("p")
            let g = try load(b)
            XCTAssertEqual(op(g, "c"), .conv(Conv2D(kernel: (3, 3), stride: (2, 2), pads: pads, groups: 2)), "\(mode) on \(size)")
            XCTAssertEqual(op(g, "p"), .maxPool(Pool2D(kernel: (3, 3), stride: (2, 2), pads: poolPads)), "\(mode) pool on \(size)")
        }
    }

    func testClipAttributeAndInputForms() throws {
        var old = ONNXModelBuilder(opset: 10)
        old.input("x", [1, 1, 2, 2])
        old.node("Clip", ["x"], ["a"], [.float("min", 0), .float("max", 6)])
        old.node("Clip", ["a"], ["b"], [.float("max", 5)])
        old.output("b")
        let g1 = try load(old)
        XCTAssertEqual(g1.nodes.map(\.op), [.clip(min: 0, max: 6), .clip(min: -.infinity, max: 5)])

        var new = ONNXModelBuilder(opset: 13)
        new.input("x", [1, 1, 2, 2])
        new.weight("lo", [], [0])
        new.weight("hi", [], [6])
        new.node("Clip", ["x", "lo", "hi"], ["a"])
        new.node("Clip", ["a", "", "hi"], ["b"])
        new.node("Clip", ["b", "lo"], ["c"])
        new.output("c")
        let g2 = try load(new)
        XCTAssertEqual(g2.nodes.map(\.op), [.clip(min: 0, max: 6), .clip(min: -.infinity, max: 6), .clip(min: 0, max: .infinity)])
        XCTAssertTrue(g2.constants.isEmpty, "clip bounds are attributes of the op, not tensors")

        var dynamic = ONNXModelBuilder(opset: 13)
        dynamic.input("x", [1, 1, 2, 2])
        dynamic.node("Relu", ["x"], ["r"])
        dynamic.node("Clip", ["x", "r"], ["c"], name: "clip_dyn")
        dynamic.output("c")
        XCTAssertThrowsError(try load(dynamic)) { e in
            XCTAssertTrue("\(e)".contains("clip_dyn") && "\(e)".contains("min"), "\(e)")
        }
    }

    func testSoftmaxAxisSemanticsAcrossOpsets() throws {
        for opset in [11, 13] {
            var b = ONNXModelBuilder(opset: opset)
            b.input("x", ["N", 3, 2, 2])
            b.node("Flatten", ["x"], ["f"])
            b.node("Softmax", ["f"], ["p2"])
            b.node("Softmax", ["x"], ["p4"])
            b.output("p2")
            b.output("p4")
            let g = try load(b)
            XCTAssertEqual(op(g, "p2"), .softmax(axis: 1), "2-D input, opset \(opset)")
            if opset == 13 {
                XCTAssertEqual(op(g, "p4"), .softmax(axis: 3))
            } else {
                // Opset 11 normalises over all of C*H*W.
                XCTAssertEqual(g.nodes.suffix(3).map(\.op), [.flatten(axis: 1), .softmax(axis: 1), .reshape(shape: [0, 3, 2, 2])])
            }
        }
    }

    func testPadForms() throws {
        var old = ONNXModelBuilder(opset: 2)
        old.model.opsetImport[0].version = 10
        old.input("x", [1, 1, 2, 2])
        old.node("Pad", ["x"], ["p"], [.ints("pads", [0, 0, 1, 2, 0, 0, 3, 4]), .float("value", 0.5)])
        old.output("p")
        XCTAssertEqual(try load(old).nodes.map(\.op), [.pad(pads: [0, 0, 1, 2, 0, 0, 3, 4], value: 0.5)])

        var new = ONNXModelBuilder(opset: 13)
        new.input("x", [1, 1, 2, 2])
        new.ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])
        new.weight("v", [], [2])
        new.node("Pad", ["x", "pads", "v"], ["p"])
        new.output("p")
        XCTAssertEqual(try load(new).nodes.map(\.op), [.pad(pads: [0, 0, 1, 1, 0, 0, 1, 1], value: 2)])

        var reflect = ONNXModelBuilder(opset: 13)
        reflect.input("x", [1, 1, 2, 2])
        reflect.ints("pads", [0, 0, 1, 1, 0, 0, 1, 1])
        reflect.node("Pad", ["x", "pads"], ["p"], name: "padR", [.string("mode", "reflect")])
        reflect.output("p")
        XCTAssertThrowsError(try load(reflect)) { e in
            XCTAssertEqual(e as? ONNXError, .unsupportedAttribute(op: "Pad", node: "padR", attribute: "mode",
                                                                  detail: "'reflect' padding is not supported, only 'constant'",
                                                                  file: "test.onnx"))
        }
    }

    func testReduceMeanAxesAttributeAndInput() throws {
        var a = ONNXModelBuilder(opset: 13)
        a.input("x", [1, 2, 3, 3])
        a.node("ReduceMean", ["x"], ["m"], [.ints("axes", [-1, -2]), .int("keepdims", 0)])
        a.output("m")
        XCTAssertEqual(try load(a).nodes.map(\.op), [.reduceMean(axes: [2, 3], keepDims: false)])

        var b = ONNXModelBuilder(opset: 18)
        b.input("x", [1, 2, 3, 3])
        b.ints("axes", [2, 3])
        b.node("ReduceMean", ["x", "axes"], ["m"])
        b.output("m")
        XCTAssertEqual(try load(b).nodes.map(\.op), [.reduceMean(axes: [2, 3], keepDims: true)])
    }

    func testActivationsAndOtherLayers() throws {
        var b = ONNXModelBuilder(opset: 14)
        b.input("x", ["N", 4, 6, 6])
        b.node("LeakyRelu", ["x"], ["a"], [.float("alpha", 0.2)])
        b.node("HardSigmoid", ["a"], ["b"])
        b.node("HardSwish", ["b"], ["c"])
        b.node("Sigmoid", ["c"], ["d"])
        b.node("Tanh", ["d"], ["e"])
        b.node("LRN", ["e"], ["f"], [.int("size", 3)])
        b.node("AveragePool", ["f"], ["g"], [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]),
                                            .ints("pads", [1, 1, 1, 1]), .int("count_include_pad", 1), .int("ceil_mode", 1)])
        b.node("Dropout", ["g"], ["h"])
        b.node("Identity", ["h"], ["i"])
        b.node("Transpose", ["i"], ["j"], [.ints("perm", [0, 2, 3, 1])])
        b.weight("m", [4, 3])
        b.node("MatMul", ["j", "m"], ["k"])
        b.node("Concat", ["k", "k"], ["l"], [.int("axis", -1)])
        b.node("Sub", ["l", "l"], ["n"])
        b.node("Div", ["n", "l"], ["o"])
        b.output("o")
        let g = try load(b)
        XCTAssertEqual(g.nodes.map(\.op), [
            .leakyRelu(alpha: 0.2), .hardSigmoid(alpha: 0.2, beta: 0.5), .hardSwish, .sigmoid, .tanh,
            .lrn(size: 3, alpha: 1e-4, beta: 0.75, bias: 1),
            .averagePool(Pool2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1), ceilMode: true, countIncludePad: true)),
            .identity, .identity, .transpose(perm: [0, 2, 3, 1]), .matMul, .concat(axis: 3), .sub, .div,
        ])
        XCTAssertEqual(g.constants["m"]?.shape, [4, 3])
    }

    /// tf2onnx feeds an NHWC Keras input through Transpose(0,3,1,2); the graph's input is
    /// then the NCHW tensor. It also writes Flatten as Reshape(-1, K) and Dense as MatMul + Add.
    func testNHWCInputTransposeIsAbsorbed() throws {
        var b = ONNXModelBuilder(opset: 13)
        b.input("input_1", ["unk__0", 6, 6, 3])
        b.weight("w", [2, 3, 3, 3])
        b.ints("flat_shape", [-1, 72])
        b.weight("dense", [72, 5])
        b.weight("dense_b", [5])
        b.node("Transpose", ["input_1"], ["input_nchw"], [.ints("perm", [0, 3, 1, 2])])
        b.node("Conv", ["input_nchw", "w"], ["conv"], [.ints("pads", [1, 1, 1, 1])])
        b.node("Relu", ["conv"], ["relu"])
        b.node("Reshape", ["relu", "flat_shape"], ["flat"])
        b.node("MatMul", ["flat", "dense"], ["mm"])
        b.node("Add", ["mm", "dense_b"], ["logits"])
        b.node("Softmax", ["logits"], ["probs"])
        b.output("probs")
        let g = try load(b)
        XCTAssertEqual(g.input, "input_1", "the graph input keeps the ONNX input name")
        XCTAssertEqual(g.inputShape, [3, 6, 6])
        XCTAssertEqual(g.nodes.first?.inputs.first, "input_1")
        XCTAssertEqual(g.nodes.map(\.op), [.conv(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))), .relu,
                                           .reshape(shape: [-1, 72]), .matMul, .add, .softmax(axis: 1)])
    }

    /// A Keras Rescaling layer runs on the NHWC image before tf2onnx's transpose: the graph
    /// gets a new NCHW input and transposes it back to NHWC for those nodes.
    func testNHWCInputReadByOtherNodesGetsNCHWInput() throws {
        var b = ONNXModelBuilder(opset: 13)
        b.input("image", ["N", 5, 5, 3])
        b.weight("scale", [3], [1 / 255, 2 / 255, 3 / 255])
        b.weight("w", [2, 3, 1, 1])
        b.node("Mul", ["image", "scale"], ["scaled"])
        b.node("Transpose", ["scaled"], ["nchw"], [.ints("perm", [0, 3, 1, 2])])
        b.node("Conv", ["nchw", "w"], ["y"])
        b.output("y")
        let g = try load(b)
        XCTAssertEqual(g.input, "image")
        XCTAssertEqual(g.inputShape, [3, 5, 5])
        XCTAssertEqual(g.nodes.map(\.op), [.transpose(perm: [0, 2, 3, 1]), .mul, .transpose(perm: [0, 3, 1, 2]),
                                           .conv(Conv2D(kernel: (1, 1)))])
        XCTAssertEqual(g.nodes[0].inputs, ["image"])
        XCTAssertEqual(g.nodes[0].output, "image/nhwc")
        XCTAssertEqual(g.nodes[1].inputs, ["image/nhwc", "scale"])
    }

    func testInitializersListedAsInputsAreWeights() throws {
        var b = Self.convNet(opset: 9)
        for name in ["conv.w", "conv.b"] {
            var v = Xai_Onnx_ValueInfoProto()
            v.name = name
            b.model.graph.input.append(v)
        }
        let g = try load(b)
        XCTAssertEqual(g.input, "image")
    }

    func testSymbolicSpatialSizeNeedsInputSize() throws {
        var b = ONNXModelBuilder()
        b.input("x", ["N", 3, "H", "W"])
        b.node("Relu", ["x"], ["y"])
        b.output("y")
        XCTAssertThrowsError(try load(b)) { e in XCTAssertTrue("\(e)".contains("symbolic height"), "\(e)") }
        XCTAssertEqual(try load(b, inputSize: (32, 24)).inputShape, [3, 32, 24])

        let fixed = Self.convNet()
        XCTAssertThrowsError(try load(fixed, inputSize: (16, 16))) { e in XCTAssertTrue("\(e)".contains("fixed height of 8"), "\(e)") }
        XCTAssertEqual(try load(fixed, inputSize: (8, 8)).inputShape, [3, 8, 8])
    }

    func testUnusedNodesAndConstantsAreDropped() throws {
        var b = Self.convNet()
        b.weight("unused.w", [4, 1, 1])
        b.node("Mul", ["c1", "unused.w"], ["dead"], name: "dead_mul")
        b.node("Sigmoid", ["dead"], ["dead2"])
        let g = try load(b)
        XCTAssertFalse(g.nodes.contains { $0.name == "dead_mul" })
        XCTAssertNil(g.constants["unused.w"])
        XCTAssertEqual(g.nodes.count, 7)
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
