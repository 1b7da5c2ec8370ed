import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// The suggested CAM target (the last spatial activation before global pooling) and the
/// module paths PyTorch's default exporter records.
final class CAMTargetTests: XCTestCase {
    func suggestion(_ b: ONNXModelBuilder) throws -> String? {
        CAMTarget.suggestion(in: try Engine(graph: try ONNXImporter.load(data: try b.serialized(), source: "m.onnx")))
    }

    /// conv, BN, ReLU, max pool, global average pool, Gemm: the pooled 4 x 4 map.
    func testTheInputOfGlobalPooling() throws {
        XCTAssertEqual(try suggestion(ONNXImportTests.convNet()), "p1")
    }

    /// VGG: a 1 x 1 average pool (adaptive pooling to the size it already has) and a flatten;
    /// the suggestion moves back over the pool to the activation it copies, as pytorch-grad-cam's
    /// `features[-1]`.
    func testOverAShapeKeepingPoolToTheActivation() throws {
        var b = ONNXModelBuilder()
        b.input("x", ["batch", 3, 6, 6])
        b.weight("w", [4, 3, 3, 3])
        b.weight("fc", [2, 36])
        b.node("Conv", ["x", "w"], ["c"], [.ints("kernel_shape", [3, 3]), .ints("strides", [2, 2]), .ints("pads", [1, 1, 1, 1])])
        b.node("Relu", ["c"], ["r"])
        b.node("AveragePool", ["r"], ["a"], [.ints("kernel_shape", [1, 1])])
        b.node("Flatten", ["a"], ["f"], [.int("axis", 1)])
        b.node("Gemm", ["f", "fc"], ["y"], [.int("transB", 1)])
        b.output("y")
        XCTAssertEqual(try suggestion(b), "r")
    }

    /// ConvNeXt's head: pooled [C, 1, 1], permuted to [1, 1, C] and layer-normalised; that
    /// vector is not a spatial map, so the suggestion stays before the pooling.
    func testAPooledVectorInNHWCOrderIsNotSpatial() throws {
        var b = ONNXModelBuilder(opset: 20)
        b.input("x", [1, 3, 4, 4])
        b.weight("w", [5, 3, 1, 1])
        b.weight("scale", [5])
        b.weight("fc", [2, 5])
        b.ints("axes", [-1, -2])
        b.node("Conv", ["x", "w"], ["c"], [.ints("kernel_shape", [1, 1])])
        b.node("Relu", ["c"], ["r"])
        b.node("ReduceMean", ["r", "axes"], ["m"], [.int("keepdims", 1)])
        b.node("Transpose", ["m"], ["t"], [.ints("perm", [0, 2, 3, 1])])
        b.node("LayerNormalization", ["t", "scale"], ["n"])
        b.node("Flatten", ["n"], ["f"], [.int("axis", 1)])
        b.node("Gemm", ["f", "fc"], ["y"], [.int("transB", 1)])
        b.output("y")
        XCTAssertEqual(try suggestion(b), "r")
    }

    func testNoSpatialMapNoSuggestion() throws {
        var b = ONNXModelBuilder()
        b.input("x", ["batch", 3, 1, 1])
        b.node("Flatten", ["x"], ["f"], [.int("axis", 1)])
        b.node("Relu", ["f"], ["y"])
        b.output("y")
        XCTAssertNil(try suggestion(b))
    }

    func testModulePathsFromTheExportersNameScopes() throws {
        var b = ONNXImportTests.convNet()
        func scopes(_ node: Int, _ value: String) {
            var e = Xai_Onnx_StringStringEntryProto()
            e.key = "pkg.torch.onnx.name_scopes"
            e.value = value
            b.model.graph.node[node].metadataProps = [e]
        }
        scopes(0, "['', 'features', 'features.0', 'conv2d']")
        scopes(2, "['', 'layer4', 'layer4.1', 'layer4.1.relu', 'relu_16']")
        scopes(3, "['', 'pool']")                // the top module's own op: no path
        scopes(4, "['', 'avgpool', mean]")       // not a list of quoted names
        let g = try ONNXImporter.load(data: try b.serialized(), source: "m.onnx")
        XCTAssertEqual(g.modulePaths, ["c1": "features.0", "r1": "layer4.1.relu"])
    }
}
