import XCTest
import XAICore
@testable import XAIEngine

/// The one-row product of a single image's classifier head (VectorMatrix.swift) against a
/// direct double-precision sum, both operand layouts, widths that end mid-vector and mid-group.
final class VectorMatrixTests: XCTestCase {
    func testOneRowProductAgainstDirectSums() {
        var g = SeededGenerator(seed: 71)
        for (k, n) in [(1280, 1000), (2048, 7), (37, 131), (16, 64), (5, 3)] {
            for transB in [true, false] {
                let x = g.tensor([1, k], scale: 1)
                let b = g.tensor(transB ? [n, k] : [k, n], scale: 0.5)
                let c = g.tensor([n], scale: 1)
                let y = MatrixKernels.gemm(x, b, c, alpha: 0.75, beta: 1.5, transA: false, transB: transB)
                var worst = 0.0, scale = 0.0
                for j in 0..<n {
                    var s = 0.0
                    for i in 0..<k { s += Double(x.data[i]) * Double(transB ? b.data[j * k + i] : b.data[i * n + j]) }
                    let want = 0.75 * s + 1.5 * Double(c.data[j])
                    worst = max(worst, abs(Double(y.data[j]) - want))
                    scale = max(scale, abs(want))
                }
                print("vector-matrix k \(k) n \(n) transB \(transB): max error \(worst) (largest output \(scale))")
                XCTAssertEqual(y.shape, [1, n])
                XCTAssertLessThan(worst, 1e-5 * Double(k).squareRoot() * max(1, scale))
            }
        }
        // The transposed-A form of a one-row product reads the same contiguous vector.
        let x = g.tensor([300, 1], scale: 1), b = g.tensor([40, 300], scale: 1)
        let y = MatrixKernels.gemm(x, b, nil, alpha: 1, beta: 0, transA: true, transB: true)
        let ref = MatrixKernels.gemm(Tensor(shape: [1, 300], data: x.data), b, nil, alpha: 1, beta: 0, transA: false, transB: true)
        XCTAssertEqual(y.data, ref.data)
    }
}
