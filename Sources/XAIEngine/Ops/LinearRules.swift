import XAICore

/// Gemm and MatMul: shape, forward and backward rules (on OpenBLAS).
enum LinearRules {
    // MARK: Gemm: Y = alpha * A' * B' + beta * C, A and B rank 2, C broadcast to Y.

    static func gemmShape<D: ShapeDimension>(_ a: [D], _ b: [D], _ c: [D]?, transA: Bool, transB: Bool) throws -> [D] {
        guard a.count == 2, b.count == 2 else { throw ShapeIssue("Gemm needs 2-D operands, got A \(a), B \(b)") }
        let (m, k) = transA ? (a[1], a[0]) : (a[0], a[1])
        let (k2, n) = transB ? (b[1], b[0]) : (b[0], b[1])
        try D.requireSame(k, k2, "Gemm inner dimensions of A \(a) and B \(b) (transA=\(transA), transB=\(transB))")
        if let c {
            guard c.count <= 2, D.broadcast([m, n], c) == [m, n] else {
                throw ShapeIssue("Gemm bias C \(c) does not broadcast to \([m, n])")
            }
        }
        return [m, n]
    }

    static func gemmForward(alpha: Float, beta: Float, transA: Bool, transB: Bool, _ x: [Tensor]) -> Tensor {
        MatrixKernels.gemm(x[0], x[1], x.count > 2 ? x[2] : nil, alpha: alpha, beta: beta, transA: transA, transB: transB)
    }

    /// Gradients w.r.t. A, B and C; an operand's value is read only when the other's gradient needs it.
    static func gemmBackward(alpha: Float, beta: Float, transA: Bool, transB: Bool, _ dy: Tensor, need: [Bool],
                             _ c: BackwardContext) throws -> [Tensor?] {
        let cv: Tensor? = need.count > 2 ? try c.value(2) : nil
        let a = need[1] ? try c.value(0) : Tensor(zeros: c.shape(0))
        let b = try c.value(1)
        return MatrixKernels.gemmBackward(a, b, cv, dy: dy, alpha: alpha, beta: beta, transA: transA, transB: transB,
                                          need: need + (need.count < 3 ? [false] : []))
    }

    // MARK: MatMul (numpy matmul): [..., M, K] x [..., K, N] with broadcast batch axes.

    static func matMulShape<D: ShapeDimension>(_ a0: [D], _ b0: [D]) throws -> [D] {
        guard !a0.isEmpty, !b0.isEmpty else { throw ShapeIssue("MatMul of a scalar") }
        let one = D.value(1)
        let a = a0.count == 1 ? [one] + a0 : a0
        let b = b0.count == 1 ? b0 + [one] : b0
        try D.requireSame(a[a.count - 1], b[b.count - 2], "MatMul inner dimensions of \(a0) and \(b0)")
        guard let batch = D.broadcast(Array(a.dropLast(2)), Array(b.dropLast(2))) else {
            throw ShapeIssue("MatMul batch dimensions of \(a0) and \(b0) do not broadcast")
        }
        var out = batch
        if a0.count > 1 { out.append(a[a.count - 2]) }
        if b0.count > 1 { out.append(b[b.count - 1]) }
        return out
    }

    static func matMulForward(_ x: [Tensor]) -> Tensor {
        MatrixKernels.matMul(x[0], x[1])!
    }

    static func matMulBackward(_ dy: Tensor, need: [Bool], _ c: BackwardContext) throws -> [Tensor?] {
        let a = need[1] ? try c.value(0) : Tensor(zeros: c.shape(0))
        let b = need[0] ? try c.value(1) : Tensor(zeros: c.shape(1))
        return MatrixKernels.matMulBackward(a, b, dy: dy, need: need)
    }
}
