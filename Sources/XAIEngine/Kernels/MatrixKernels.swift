import XAICore

/// Gemm and MatMul (ONNX semantics) on OpenBLAS, with their backward rules.
enum MatrixKernels {
    // MARK: Gemm: Y = alpha * op(A) * op(B) + beta * C, A and B rank 2.

    static func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor?, alpha: Float, beta: Float, transA: Bool, transB: Bool) -> Tensor {
        let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let n = transB ? b.shape[0] : b.shape[1]
        var y: Tensor
        if let c, beta != 0 {
            y = Broadcast.binary(.add, Tensor(zeros: [m, n]), c)!
        } else {
            y = Tensor(zeros: [m, n])
        }
        let betaEff: Float = (c != nil) ? beta : 0
        y.data.withUnsafeMutableBufferPointer { yb in
            a.data.withUnsafeBufferPointer { ab in
                b.data.withUnsafeBufferPointer { bb in
                    // One row (a single image's classifier head): memory-bound, see VectorMatrix.
                    if m == 1 {
                        VectorMatrix.multiply(x: ab.baseAddress!, k: k, b: bb.baseAddress!, ldb: b.shape[1], n: n,
                                              transB: transB, alpha: alpha, beta: betaEff, y: yb.baseAddress!)
                        return
                    }
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                               a: ab.baseAddress!, lda: a.shape[1], b: bb.baseAddress!, ldb: b.shape[1],
                               beta: betaEff, c: yb.baseAddress!, ldc: n)
                }
            }
        }
        return y
    }

    /// Gradients of Gemm w.r.t. the operands flagged in `need` (A, B, C).
    static func gemmBackward(_ a: Tensor, _ b: Tensor, _ c: Tensor?, dy: Tensor, alpha: Float, beta: Float,
                             transA: Bool, transB: Bool, need: [Bool]) -> [Tensor?] {
        let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let n = dy.shape[1]
        var out: [Tensor?] = [nil, nil, nil]
        dy.data.withUnsafeBufferPointer { gb in
            a.data.withUnsafeBufferPointer { ab in
                b.data.withUnsafeBufferPointer { bb in
                    let g = gb.baseAddress!, ap = ab.baseAddress!, bp = bb.baseAddress!
                    if need[0] {
                        out[0] = Tensor(uninitialized: a.shape) { da, _ in
                            if !transA { // dA [M,K] = alpha dY op(B)^T
                                BLAS.sgemm(transA: false, transB: !transB, m: m, n: k, k: n, alpha: alpha,
                                           a: g, lda: n, b: bp, ldb: b.shape[1], c: da, ldc: k)
                            } else { // dA [K,M] = alpha op(B) dY^T
                                BLAS.sgemm(transA: transB, transB: true, m: k, n: m, k: n, alpha: alpha,
                                           a: bp, lda: b.shape[1], b: g, ldb: n, c: da, ldc: m)
                            }
                        }
                    }
                    if need[1] {
                        out[1] = Tensor(uninitialized: b.shape) { db, _ in
                            if !transB { // dB [K,N] = alpha op(A)^T dY
                                BLAS.sgemm(transA: !transA, transB: false, m: k, n: n, k: m, alpha: alpha,
                                           a: ap, lda: a.shape[1], b: g, ldb: n, c: db, ldc: n)
                            } else { // dB [N,K] = alpha dY^T op(A)
                                BLAS.sgemm(transA: true, transB: transA, m: n, n: k, k: m, alpha: alpha,
                                           a: g, lda: n, b: ap, ldb: a.shape[1], c: db, ldc: k)
                            }
                        }
                    }
                }
            }
        }
        if need.count > 2, need[2], let c {
            out[2] = Broadcast.reduce(dy, to: c.shape).map { beta * $0 }
        }
        return out
    }

    // MARK: MatMul (numpy matmul): [..., M, K] x [..., K, N] with broadcast batch axes.

    struct MatMulGeometry {
        let aShape: [Int], bShape: [Int]   // promoted to rank >= 2
        let batch: [Int]
        let m: Int, k: Int, n: Int
        let outShape: [Int]                // ONNX output shape (1-D operands' axes dropped)
    }

    static func matMulGeometry(_ a: [Int], _ b: [Int]) -> MatMulGeometry? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let pa = a.count == 1 ? [1, a[0]] : a
        let pb = b.count == 1 ? [b[0], 1] : b
        let (m, k) = (pa[pa.count - 2], pa[pa.count - 1])
        let (k2, n) = (pb[pb.count - 2], pb[pb.count - 1])
        guard k == k2, let batch = Int.broadcast(Array(pa.dropLast(2)), Array(pb.dropLast(2))) else { return nil }
        var out = batch
        if a.count > 1 { out.append(m) }
        if b.count > 1 { out.append(n) }
        return MatMulGeometry(aShape: pa, bShape: pb, batch: batch, m: m, k: k, n: n, outShape: out)
    }

    /// Matrix offsets (in matrices) of every batch index for an operand with batch dims `dims`.
    private static func batchOffsets(_ dims: [Int], in batch: [Int]) -> [Int] {
        let st = Broadcast.strides(dims, in: batch)
        let count = batch.reduce(1, *)
        return (0..<count).map { i in
            var rem = i, off = 0
            for d in stride(from: batch.count - 1, through: 0, by: -1) {
                off += (rem % batch[d]) * st[d]
                rem /= batch[d]
            }
            return off
        }
    }

    static func matMul(_ a: Tensor, _ b: Tensor) -> Tensor? {
        guard let g = matMulGeometry(a.shape, b.shape) else { return nil }
        return Tensor(uninitialized: g.outShape) { y, _ in
            a.data.withUnsafeBufferPointer { ab in
                b.data.withUnsafeBufferPointer { bb in
                    let ap = ab.baseAddress!, bp = bb.baseAddress!
                    if g.bShape.count == 2 { // fold A's batch axes into M: one GEMM
                        let rows = a.count / g.k
                        BLAS.sgemm(m: rows, n: g.n, k: g.k, a: ap, lda: g.k, b: bp, ldb: g.n, c: y, ldc: g.n)
                        return
                    }
                    let oa = batchOffsets(Array(g.aShape.dropLast(2)), in: g.batch)
                    let ob = batchOffsets(Array(g.bShape.dropLast(2)), in: g.batch)
                    for i in oa.indices {
                        BLAS.sgemm(m: g.m, n: g.n, k: g.k, a: ap + oa[i] * g.m * g.k, lda: g.k,
                                   b: bp + ob[i] * g.k * g.n, ldb: g.n, c: y + i * g.m * g.n, ldc: g.n)
                    }
                }
            }
        }
    }

    static func matMulBackward(_ a: Tensor, _ b: Tensor, dy: Tensor, need: [Bool]) -> [Tensor?] {
        guard let g = matMulGeometry(a.shape, b.shape) else { return [nil, nil] }
        let full = g.batch.reduce(1, *)
        let oa = batchOffsets(Array(g.aShape.dropLast(2)), in: g.batch)
        let ob = batchOffsets(Array(g.bShape.dropLast(2)), in: g.batch)
        var out: [Tensor?] = [nil, nil]
        dy.data.withUnsafeBufferPointer { gb in
            a.data.withUnsafeBufferPointer { ab in
                b.data.withUnsafeBufferPointer { bb in
                    let gp = gb.baseAddress!, ap = ab.baseAddress!, bp = bb.baseAddress!
                    if need[0] { // dA_i = dY_i B_i^T, summed over broadcast batch axes
                        let t = Tensor(uninitialized: g.batch + [g.m, g.k]) { da, _ in
                            for i in 0..<full {
                                BLAS.sgemm(transB: true, m: g.m, n: g.k, k: g.n, a: gp + i * g.m * g.n, lda: g.n,
                                           b: bp + ob[i] * g.k * g.n, ldb: g.n, c: da + i * g.m * g.k, ldc: g.k)
                            }
                        }
                        out[0] = Broadcast.reduce(t, to: g.aShape).reshaped(a.shape)
                    }
                    if need[1] { // dB_i = A_i^T dY_i
                        if g.bShape.count == 2 {
                            let rows = a.count / g.k
                            out[1] = Tensor(uninitialized: b.shape) { db, _ in
                                BLAS.sgemm(transA: true, m: g.k, n: g.n, k: rows, a: ap, lda: g.k,
                                           b: gp, ldb: g.n, c: db, ldc: g.n)
                            }
                        } else {
                            let t = Tensor(uninitialized: g.batch + [g.k, g.n]) { db, _ in
                                for i in 0..<full {
                                    BLAS.sgemm(transA: true, m: g.k, n: g.n, k: g.m, a: ap + oa[i] * g.m * g.k, lda: g.k,
                                               b: gp + i * g.m * g.n, ldb: g.n, c: db + i * g.k * g.n, ldc: g.n)
                                }
                            }
                            out[1] = Broadcast.reduce(t, to: g.bShape).reshaped(b.shape)
                        }
                    }
                }
            }
        }
        return out
    }
}
