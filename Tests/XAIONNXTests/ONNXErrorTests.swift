import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// Bad, hostile and unsupported models give errors that name the problem and the file.
final class ONNXErrorTests: XCTestCase {
    func load(_ b: ONNXModelBuilder) throws -> Graph {
        try ONNXImporter.load(data: try b.serialized(), source: "model.onnx")
    }

    func assertError(_ b: ONNXModelBuilder, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(b), file: file, line: line) { e in
            XCTAssertTrue(e is ONNXError, "expected ONNXError, got \(type(of: e)): \(e)", file: file, line: line)
            let text = "\(e)"
            for p in parts + ["model.onnx"] {
                XCTAssertTrue(text.contains(p), "'\(p)' missing from: \(text)", file: file, line: line)
            }
        }
    }

    func testUnknownOpNamesOpNodeAndFile() {
        var b = ONNXModelBuilder()
        b.input("x", [1, 3, 4, 4])
        b.node("Relu", ["x"], ["r"])
        b.node("Einsum", ["r"], ["y"], name: "mystery_node")
        b.output("y")
        XCTAssertThrowsError(try load(b)) { e in
            XCTAssertEqual(e as? ONNXError, .unsupportedOp(op: "Einsum", node: "mystery_node", file: "model.onnx"))
            XCTAssertTrue("\(e)".contains("supported operators: Add, AveragePool"), "\(e)")
        }
        var custom = ONNXModelBuilder()
        custom.input("x", [1, 3, 4, 4])
        custom.node("Relu", ["x"], ["y"], name: "ms_relu")
        custom.model.graph.node[0].domain = "com.microsoft"
        custom.output("y")
        assertError(custom, contains: ["com.microsoft.Relu", "ms_relu"])
    }

    func testUnsupportedAttributesNameOpNodeAndAttribute() {
        var conv3d = ONNXModelBuilder()
        conv3d.input("x", [1, 2, 4, 4])
        conv3d.weight("w", [2, 2, 3, 3, 3])
        conv3d.node("Conv", ["x", "w"], ["y"], name: "conv3d")
        conv3d.output("y")
        assertError(conv3d, contains: ["conv3d", "Conv", "kernel_shape", "2-D"])

        var dilatedPool = ONNXModelBuilder()
        dilatedPool.input("x", [1, 2, 8, 8])
        dilatedPool.node("MaxPool", ["x"], ["y"], name: "mp", [.ints("kernel_shape", [2, 2]), .ints("dilations", [2, 2])])
        dilatedPool.output("y")
        assertError(dilatedPool, contains: ["mp", "MaxPool", "dilations"])

        var unknownAttr = ONNXModelBuilder()
        unknownAttr.input("x", [1, 2, 8, 8])
        unknownAttr.node("Relu", ["x"], ["y"], name: "r", [.int("fancy", 1)])
        unknownAttr.output("y")
        assertError(unknownAttr, contains: ["'r'", "Relu", "fancy"])

        var training = IRTestModels.batchNormModel()
        training.model.graph.node[0].attribute.append({
            var a = Xai_Onnx_AttributeProto(); a.name = "training_mode"; a.type = 2; a.i = 1; return a
        }())
        assertError(training, contains: ["bn", "training_mode"])

        var indices = ONNXModelBuilder()
        indices.input("x", [1, 2, 8, 8])
        indices.node("MaxPool", ["x"], ["y", "idx"], name: "mp", [.ints("kernel_shape", [2, 2])])
        indices.node("Add", ["y", "idx"], ["z"])
        indices.output("z")
        assertError(indices, contains: ["mp", "idx"])

        var badAutoPad = ONNXModelBuilder()
        badAutoPad.input("x", [1, 2, 8, 8])
        badAutoPad.weight("w", [2, 2, 3, 3])
        badAutoPad.node("Conv", ["x", "w"], ["y"], name: "c", [.string("auto_pad", "SAME_MIDDLE")])
        badAutoPad.output("y")
        assertError(badAutoPad, contains: ["auto_pad", "SAME_MIDDLE", "'c'"])
    }

    func testMissingFileAndDirectory() {
        XCTAssertThrowsError(try ONNXImporter.load(contentsOf: "/nonexistent/dir/model.onnx")) { e in
            XCTAssertEqual(e as? ONNXError, .fileNotFound(file: "/nonexistent/dir/model.onnx"))
            XCTAssertTrue("\(e)".contains("/nonexistent/dir/model.onnx"))
        }
        XCTAssertThrowsError(try ONNXImporter.load(contentsOf: NSTemporaryDirectory())) { e in
            guard case .unreadable? = e as? ONNXError else { return XCTFail("\(e)") }
        }
    }

    func testLoadFromFileRoundTrip() throws {
        let path = NSTemporaryDirectory() + "xai-onnx-\(UUID().uuidString).onnx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ONNXImportTests.convNet().serialized().write(to: URL(fileURLWithPath: path))
        let g = try ONNXImporter.load(contentsOf: path)
        XCTAssertEqual(g.source, path)
        XCTAssertEqual(g.nodes.count, 7)
    }

    func testTruncatedFile() throws {
        let data = try ONNXImportTests.convNet().serialized()
        for cut in [1, 10, data.count / 2, data.count - 3] {
            XCTAssertThrowsError(try ONNXImporter.load(data: data.prefix(cut), source: "cut.onnx")) { e in
                XCTAssertTrue("\(e)".contains("cut.onnx"), "\(e)")
            }
        }
        XCTAssertThrowsError(try ONNXImporter.load(data: Data("not a model at all, just text".utf8), source: "t.onnx")) { e in
            guard case .malformed? = e as? ONNXError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try ONNXImporter.load(data: Data(), source: "empty.onnx")) { e in
            XCTAssertTrue("\(e)".contains("empty.onnx"), "\(e)")
        }
    }

    func testNegativeDimension() {
        var b = ONNXImportTests.convNet()
        b.model.graph.initializer[0].dims = [4, -3, 3, 3]
        assertError(b, contains: ["conv.w", "negative dimension"])
    }

    func testHugeDimensionsAreRejectedQuickly() {
        var b = ONNXImportTests.convNet()
        b.model.graph.initializer[0].dims = [1_000_000, 1_000_000]
        let start = Date()
        assertError(b, contains: ["conv.w", "more than"])
        var overflow = ONNXImportTests.convNet()
        overflow.model.graph.initializer[0].dims = [Int64.max / 2, 4, 4, 4]
        assertError(overflow, contains: ["conv.w"])
        var hugeInput = ONNXModelBuilder()
        hugeInput.input("x", [1, 3, 1_000_000, 1_000_000])
        hugeInput.node("Relu", ["x"], ["y"])
        hugeInput.output("y")
        assertError(hugeInput, contains: ["too large"])
        var constantOfShape = ONNXModelBuilder()
        constantOfShape.input("x", [1, 3, 4, 4])
        constantOfShape.ints("big", [1_000_000, 1_000_000])
        constantOfShape.node("ConstantOfShape", ["big"], ["c"], name: "cos")
        constantOfShape.node("Add", ["x", "c"], ["y"])
        constantOfShape.output("y")
        assertError(constantOfShape, contains: ["cos", "too large"])
        var hugePad = ONNXModelBuilder()
        hugePad.input("x", [1, 3, 4, 4])
        hugePad.ints("pads", [0, 0, 100_000, 100_000, 0, 0, 100_000, 100_000])
        hugePad.node("Pad", ["x", "pads"], ["y"], name: "bigpad")
        hugePad.output("y")
        assertError(hugePad, contains: ["bigpad", "too large"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "hostile sizes must be refused before allocating")
    }

    func testDataShorterOrLongerThanShape() {
        var short = ONNXImportTests.convNet()
        short.model.graph.initializer[0].rawData = short.model.graph.initializer[0].rawData.prefix(100)
        assertError(short, contains: ["conv.w", "raw_data has 100 bytes", "432"])
        var long = ONNXImportTests.convNet(rawWeights: false)
        long.model.graph.initializer[1].floatData.append(1)
        assertError(long, contains: ["conv.b", "float_data holds 5 values", "needs 4"])
        var none = ONNXImportTests.convNet(rawWeights: false)
        none.model.graph.initializer[1].floatData = []
        assertError(none, contains: ["conv.b", "has no data"])
    }

    func testUnsupportedDataTypeAndExternalData() {
        var str = ONNXImportTests.convNet()
        str.model.graph.initializer[1].dataType = 8
        assertError(str, contains: ["conv.b", "string"])
        var unknown = ONNXImportTests.convNet()
        unknown.model.graph.initializer[1].dataType = 99
        assertError(unknown, contains: ["conv.b", "99"])
        var external = ONNXImportTests.convNet()
        external.model.graph.initializer[1].dataLocation = 1
        assertError(external, contains: ["conv.b", "external file", "no `location`"])
    }

    func testMissingInitializerAndOpset() {
        var b = ONNXImportTests.convNet()
        b.model.graph.initializer.removeAll { $0.name == "fc.w" }
        assertError(b, contains: ["fc.w", "'fc'"])
        var old = ONNXImportTests.convNet()
        old.model.opsetImport[0].version = 3
        assertError(old, contains: ["version 3"])
        var noOpset = ONNXImportTests.convNet()
        noOpset.model.opsetImport = []
        assertError(noOpset, contains: ["operator set"])
    }

    func testBadInputs() {
        var two = ONNXModelBuilder()
        two.input("a", [1, 3, 4, 4])
        two.input("b", [1, 3, 4, 4])
        two.node("Add", ["a", "b"], ["y"])
        two.output("y")
        assertError(two, contains: ["2 inputs", "'a'", "'b'"])
        var rank2 = ONNXModelBuilder()
        rank2.input("x", [1, 10])
        rank2.node("Relu", ["x"], ["y"])
        rank2.output("y")
        assertError(rank2, contains: ["rank 2"])
        var ints = ONNXModelBuilder()
        ints.input("x", [1, 3, 4, 4], elemType: 7)
        ints.node("Relu", ["x"], ["y"])
        ints.output("y")
        assertError(ints, contains: ["int64", "float32"])
        var noChannels = ONNXModelBuilder()
        noChannels.input("x", ["N", "C", 4, 4])
        noChannels.node("Relu", ["x"], ["y"])
        noChannels.output("y")
        assertError(noChannels, contains: ["channels"])
    }

    func testRuntimeShapeOperandsAreRefused() {
        var b = ONNXModelBuilder()
        b.input("x", [1, 3, 4, 4])
        b.node("Relu", ["x"], ["r"])
        b.node("Reshape", ["x", "r"], ["y"], name: "dyn_reshape")
        b.output("y")
        assertError(b, contains: ["dyn_reshape", "shape", "depends on the image"])
        var gather = ONNXModelBuilder()
        gather.input("x", [1, 3, 4, 4])
        gather.ints("i", [0], shape: [])
        gather.node("Gather", ["x", "i"], ["y"], name: "g")
        gather.output("y")
        assertError(gather, contains: ["'g'", "Gather", "depends on the image"])
    }

    func testBadOutputs() {
        var b = ONNXImportTests.convNet()
        b.output("nowhere")
        assertError(b, contains: ["nowhere"])
    }
}

/// Small models shared by several test files.
enum IRTestModels {
    static func batchNormModel() -> ONNXModelBuilder {
        var b = ONNXModelBuilder(opset: 15)
        b.input("x", [1, 2, 3, 3])
        for k in ["s", "b", "m", "v"] { b.weight(k, [2], [0.5, 1.5]) }
        b.node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name: "bn")
        b.output("y")
        return b
    }
}
