import XCTest
import XAIEngine
@testable import XAIONNX

/// The engine and the importer share one shape function (`Op.outputShape`), generic over the
/// dimension type. For every op family: concrete and symbolic shapes give the same result when
/// every size is known, a symbolic batch never contradicts the concrete result, and both
/// reject the same inconsistent inputs.
final class SharedShapeRuleTests: XCTestCase {
    /// An op, its input shapes with batch 2 in the computed inputs, and which inputs are
    /// computed (their leading dimension becomes the symbolic batch).
    struct Case {
        let family: String
        let op: Op
        let inputs: [[Int]]
        var computed: Set<Int> = [0]
    }

    let valid: [Case] = [
        Case(family: "pointwise", op: .pointwise(.hardSwish), inputs: [[2, 3, 4, 4]]),
        Case(family: "pointwise", op: .pointwise(.clip(min: 0, max: 6)), inputs: [[2, 5]]),
        Case(family: "arithmetic", op: .add, inputs: [[2, 3, 4, 4], [3, 1, 1]]),
        Case(family: "arithmetic", op: .div, inputs: [[2, 3, 4, 4], [2, 3, 1, 4]], computed: [0, 1]),
        Case(family: "convolution", op: .conv(Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1))),
             inputs: [[2, 3, 9, 9], [8, 3, 3, 3], [8]]),
        Case(family: "convolution", op: .conv(Conv2D(kernel: (3, 3), dilation: (2, 2), pads: (0, 1, 2, 3), groups: 4)),
             inputs: [[2, 4, 11, 10], [4, 1, 3, 3]]),
        Case(family: "pooling", op: .maxPool(Pool2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1), ceilMode: true)),
             inputs: [[2, 4, 8, 7]]),
        Case(family: "pooling", op: .averagePool(Pool2D(kernel: (2, 2), stride: (2, 2))), inputs: [[2, 4, 7, 7]]),
        Case(family: "pooling", op: .globalAveragePool, inputs: [[2, 4, 7, 7]]),
        Case(family: "normalization", op: .batchNorm(epsilon: 1e-5), inputs: [[2, 3, 4, 4], [3], [3], [3], [3]]),
        Case(family: "normalization", op: .softmax(axis: 1), inputs: [[2, 10]]),
        Case(family: "normalization", op: .lrn(size: 3, alpha: 1e-4, beta: 0.75, bias: 1), inputs: [[2, 6, 3, 3]]),
        Case(family: "layout", op: .flatten(axis: 1), inputs: [[2, 3, 4, 4]]),
        Case(family: "layout", op: .reshape(shape: [0, -1, 4]), inputs: [[2, 3, 4, 4]]),
        Case(family: "layout", op: .transpose(perm: [0, 2, 3, 1]), inputs: [[2, 3, 4, 5]]),
        Case(family: "layout", op: .concat(axis: 1), inputs: [[2, 3, 4, 4], [2, 5, 4, 4], [2, 1, 4, 4]], computed: [0, 1, 2]),
        Case(family: "layout", op: .pad(pads: [0, 0, 1, -1, 0, 0, 2, 3], value: 0), inputs: [[2, 3, 4, 4]]),
        Case(family: "layout", op: .identity, inputs: [[2, 7]]),
        Case(family: "linear", op: .gemm(alpha: 1, beta: 1, transA: false, transB: true), inputs: [[2, 48], [10, 48], [10]]),
        Case(family: "linear", op: .matMul, inputs: [[2, 5, 6], [6, 7]]),
        Case(family: "reduction", op: .reduceMean(axes: [2, 3], keepDims: true), inputs: [[2, 3, 4, 5]]),
        Case(family: "reduction", op: .reduceMean(axes: [1], keepDims: false), inputs: [[2, 3, 4, 5]]),
    ]

    let invalid: [Case] = [
        Case(family: "pointwise", op: .pointwise(.relu), inputs: [[2, 3], [2, 3]]),
        Case(family: "arithmetic", op: .mul, inputs: [[2, 3, 4], [5]]),
        Case(family: "convolution", op: .conv(Conv2D(kernel: (3, 3))), inputs: [[2, 4, 9, 9], [8, 3, 3, 3]]),
        Case(family: "convolution", op: .conv(Conv2D(kernel: (5, 5))), inputs: [[2, 3, 4, 4], [8, 3, 5, 5]]),
        Case(family: "pooling", op: .maxPool(Pool2D(kernel: (2, 2), stride: (1, 1), pads: (2, 0, 0, 0))), inputs: [[2, 1, 4, 4]]),
        Case(family: "normalization", op: .batchNorm(epsilon: 1e-5), inputs: [[2, 3, 4, 4], [4], [3], [3], [3]]),
        Case(family: "layout", op: .reshape(shape: [0, 5]), inputs: [[2, 3, 4]]),
        Case(family: "layout", op: .concat(axis: 1), inputs: [[2, 3, 4], [2, 3, 5]]),
        Case(family: "linear", op: .gemm(alpha: 1, beta: 1, transA: false, transB: false), inputs: [[2, 4], [5, 3]]),
        Case(family: "reduction", op: .reduceMean(axes: [4], keepDims: true), inputs: [[2, 3, 4, 5]]),
    ]

    func testKnownSymbolicShapesMatchConcreteOnes() throws {
        var families = Set<String>()
        for c in valid {
            let concrete = try c.op.outputShape(c.inputs)
            let symbolic = try ShapeInference.output(of: c.op, inputs: c.inputs.map(SymbolicShape.known))
            XCTAssertEqual(symbolic, SymbolicShape.known(concrete), "\(c.family) \(c.op.onnxName) on \(c.inputs)")
            families.insert(c.family)
        }
        XCTAssertEqual(families.count, 8)
    }

    /// With the batch left open, every dimension the symbolic rule derives agrees with the
    /// concrete one, and ops that keep the batch leading still say so.
    func testOpenBatchNeverContradictsConcreteShapes() throws {
        for c in valid {
            let concrete = try c.op.outputShape(c.inputs)
            let open = c.inputs.enumerated().map { i, s -> [Dim] in
                c.computed.contains(i) ? [.batch] + SymbolicShape.known(Array(s.dropFirst())) : SymbolicShape.known(s)
            }
            let symbolic = try ShapeInference.output(of: c.op, inputs: open)
            XCTAssertEqual(symbolic.count, concrete.count, "\(c.op.onnxName)")
            for (d, v) in zip(symbolic, concrete) {
                switch d {
                case let .value(k): XCTAssertEqual(k, v, "\(c.op.onnxName): \(symbolic) vs \(concrete)")
                case .batch: XCTAssertEqual(v, 2, "\(c.op.onnxName): \(symbolic) vs \(concrete)")
                case .unknown: break
                }
            }
            XCTAssertEqual(symbolic.first, .batch, "\(c.op.onnxName) keeps the batch leading: \(symbolic)")
        }
    }

    func testBothRejectTheSameInconsistencies() {
        for c in invalid {
            XCTAssertThrowsError(try c.op.outputShape(c.inputs), "\(c.family) \(c.op.onnxName) on \(c.inputs)")
            XCTAssertThrowsError(try ShapeInference.output(of: c.op, inputs: c.inputs.map(SymbolicShape.known)),
                                 "\(c.family) \(c.op.onnxName) on \(c.inputs)")
        }
    }
}
