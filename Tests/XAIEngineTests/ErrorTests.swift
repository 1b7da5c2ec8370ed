import XCTest
import XAICore
@testable import XAIEngine

final class ErrorTests: XCTestCase {
    private func expectError(_ graph: Graph, contains parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Engine(graph: graph), file: file, line: line) { err in
            let text = "\(err)"
            print("error: \(text)")
            for p in parts { XCTAssertTrue(text.contains(p), "'\(p)' missing from: \(text)", file: file, line: line) }
        }
    }

    func testShapeMismatchNamesNodeAndFile() {
        var b = GraphBuilder(shape: [3, 8, 8])
        let w = b.random([4, 2, 3, 3], scale: 1) // expects 2 input channels, gets 3
        let y = b.add(.conv(Conv2D(kernel: (3, 3))), [b.input, w], name: "stem_conv", output: "y")
        expectError(b.build(outputs: [y], source: "model.onnx"), contains: ["stem_conv", "model.onnx", "Conv"])
    }

    func testKernelAttributeMustMatchWeight() {
        var b = GraphBuilder(shape: [2, 8, 8])
        let w = b.random([4, 2, 3, 3], scale: 1)
        let y = b.add(.conv(Conv2D(kernel: (5, 5))), [b.input, w], name: "bad_kernel", output: "y")
        expectError(b.build(outputs: [y], source: "m.onnx"), contains: ["bad_kernel", "kernel_shape"])
    }

    func testComputedConvWeightIsUnsupported() {
        var b = GraphBuilder(shape: [1, 3, 3])
        let y = b.add(.conv(Conv2D(kernel: (3, 3))), [b.input, b.input], name: "dyn_conv", output: "y")
        XCTAssertThrowsError(try Engine(graph: b.build(outputs: [y], source: "dyn.onnx"))) { err in
            guard case let EngineError.unsupportedOp(op, node, file) = err else { return XCTFail("\(err)") }
            XCTAssertTrue(op.contains("Conv"))
            XCTAssertEqual(node, "dyn_conv")
            XCTAssertEqual(file, "dyn.onnx")
        }
    }

    func testOpsThatMixBatchItemsAreRejected() {
        expectError(singleOpGraph(.softmax(axis: 0), item: [4]), contains: ["node", "axis 0"])
        expectError(singleOpGraph(.flatten(axis: 0), item: [2, 3]), contains: ["node", "batch"])
        expectError(singleOpGraph(.reshape(shape: [1, -1]), item: [2, 3]), contains: ["node", "batch"])
        expectError(singleOpGraph(.transpose(perm: [1, 0, 2]), item: [2, 3]), contains: ["node", "batch"])
    }

    func testBadAttributes() {
        expectError(singleOpGraph(.maxPool(Pool2D(kernel: (2, 2), stride: (0, 1))), item: [1, 4, 4]), contains: ["node", "strides"])
        expectError(singleOpGraph(.reshape(shape: [0, -1, -1]), item: [2, 3]), contains: ["node", "-1"])
        expectError(singleOpGraph(.pad(pads: [0, 1], value: 0), item: [2, 3]), contains: ["node", "pads"])
        expectError(singleOpGraph(.transpose(perm: [0, 0, 1]), item: [2, 3]), contains: ["node", "perm"])
        expectError(singleOpGraph(.add, item: [2, 3], constants: [Tensor(zeros: [4])]), contains: ["node", "broadcast"])
        var b = GraphBuilder(shape: [2])
        let y = b.add(.relu, ["missing"], name: "orphan", output: "y")
        expectError(b.build(outputs: [y]), contains: ["orphan", "missing"])
    }

    func testWrongInputShapeAndSeeds() throws {
        let e = try Engine(graph: singleOpGraph(.relu, item: [3]))
        XCTAssertThrowsError(try e.forward(Tensor(zeros: [2, 4])))
        let acts = try e.forward(Tensor(zeros: [2, 3]), retain: .all)
        XCTAssertThrowsError(try e.gradients(acts, seeds: ["y": Tensor(zeros: [2, 4])], wrt: ["input"]))
        XCTAssertThrowsError(try e.gradients(acts, seeds: ["y": Tensor(zeros: [2, 3])], wrt: ["nothere"]))
        // A rectifier reads its mask off its output where its input was not kept
        // (Engine.gradientRetention); an op that needs its input says what to retain.
        let hardSwish = try Engine(graph: singleOpGraph(.pointwise(.hardSwish), item: [3]))
        let slim = try hardSwish.forward(Tensor(zeros: [2, 3]))
        XCTAssertThrowsError(try hardSwish.gradients(slim, seeds: ["y": Tensor(zeros: [2, 3])], wrt: ["input"])) { err in
            XCTAssertTrue("\(err)".contains("retain: .all"), "\(err)")
        }
    }
}
