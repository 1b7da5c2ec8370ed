import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// The forms PyTorch's default exporter writes, on small models built in memory: Split with
/// `num_outputs` (ShuffleNet), LayerNormalization and Gelu (ConvNeXt), and ConvNeXt's
/// as_strided view (the whole batch-1 tensor flattened, then gathered back with 0, 1, ...).
final class DefaultExporterOpsTests: XCTestCase {
    func run(_ b: ONNXModelBuilder, _ x: Tensor) throws -> Tensor {
        try Engine(graph: try ONNXImporter.load(data: try b.serialized(), source: "m.onnx")).logits(x)
    }

    func ramp(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { Float(($0 * 37) % 19) / 4 - 2 })
    }

    func testSplitIntoEqualAndUnevenParts() throws {
        for (parts, sizes) in [(2, [2, 2]), (3, [2, 2, 1])] {
            var b = ONNXModelBuilder(opset: 18)
            b.input("x", [1, parts == 2 ? 4 : 5, 1, 2])
            b.node("Split", ["x"], (0..<parts).map { "s\($0)" }, name: "split", [.int("axis", 1), .int("num_outputs", parts)])
            b.node("Concat", (0..<parts).reversed().map { "s\($0)" }, ["y"], [.int("axis", 1)])
            b.output("y")
            let x = ramp([3, sizes.reduce(0, +), 1, 2])
            let y = try run(b, x)
            // The parts in reverse order, per item.
            var want = [Float]()
            for n in 0..<3 {
                let item = Array(x.data[(n * 2 * sizes.reduce(0, +))..<((n + 1) * 2 * sizes.reduce(0, +))])
                var starts = [0]
                for s in sizes.dropLast() { starts.append(starts.last! + s) }
                for k in sizes.indices.reversed() { want += item[(2 * starts[k])..<(2 * (starts[k] + sizes[k]))] }
            }
            XCTAssertEqual(y.data, want, "\(sizes)")
        }
    }

    func testSplitSizesFromInput() throws {
        var b = ONNXModelBuilder(opset: 13)
        b.input("x", [1, 3, 1, 1])
        b.ints("sizes", [1, 2])
        b.node("Split", ["x", "sizes"], ["a", "c"], [.int("axis", 1)])
        b.output("c")
        XCTAssertEqual(try run(b, Tensor(shape: [2, 3, 1, 1], data: [1, 2, 3, 4, 5, 6])).data, [2, 3, 5, 6])
    }

    func testLayerNormalizationAndGeluOverTheLastAxis() throws {
        var b = ONNXModelBuilder(opset: 20)
        b.input("x", [1, 1, 2, 3])
        b.weight("scale", [3], [1, 2, 0.5])
        b.weight("bias", [3], [0, 1, -1])
        b.node("LayerNormalization", ["x", "scale", "bias"], ["n"], [.int("axis", -1), .float("epsilon", 1e-5)])
        b.node("Gelu", ["n"], ["y"], [.string("approximate", "none")])
        b.output("y")
        let x = Tensor(shape: [1, 1, 2, 3], data: [1, 2, 6, -1, 0, 1])
        let y = try run(b, x)
        var want = [Float]()
        for row in 0..<2 {
            let v = x.data[(3 * row)..<(3 * row + 3)].map(Double.init)
            let mean = v.reduce(0, +) / 3
            let inv = 1 / (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3 + 1e-5).squareRoot()
            for (i, e) in v.enumerated() {
                let n = (e - mean) * inv * [1, 2, 0.5][i] + [0, 1, -1][i]
                want.append(Float(0.5 * n * (1 + erf(n / 2.0.squareRoot()))))
            }
        }
        for i in want.indices { XCTAssertEqual(y.data[i], want[i], accuracy: 1e-6) }
    }

    /// The view is read per item, so a batch of 3 gives each item its own values.
    func testAsStridedViewOfAFlattenedBatchOfOne() throws {
        var b = ONNXModelBuilder(opset: 20)
        b.input("x", [1, 3, 2, 2])
        b.ints("axes", [-1, -2])
        b.node("ReduceMean", ["x", "axes"], ["mean"], [.int("keepdims", 1)])
        b.ints("flat", [-1])
        b.node("Reshape", ["mean", "flat"], ["whole"])
        b.ints("index", [0, 1, 2], shape: [1, 3, 1, 1])
        b.node("Gather", ["whole", "index"], ["view"], [.int("axis", 0)])
        b.node("Flatten", ["view"], ["y"], [.int("axis", 1)])
        b.output("y")
        let x = ramp([3, 3, 2, 2])
        let y = try run(b, x)
        XCTAssertEqual(y.shape, [3, 3])
        let want = (0..<9).map { k in x.data[(4 * k)..<(4 * k + 4)].reduce(0, +) / 4 }
        XCTAssertEqual(y.data, want)
        var other = b
        other.model.graph.initializer[other.model.graph.initializer.count - 1] = ONNXModelBuilder.int64Tensor("index", [1, 3, 1, 1], [2, 1, 0])
        XCTAssertThrowsError(try run(other, x)) { XCTAssertTrue("\($0)".contains("as_strided"), "\($0)") }
    }
}
