internal import COpenBLAS

/// Row-major single-precision matrix products for the methods' own linear algebra (NMF,
/// channel weighting): one serial OpenBLAS call each, unlike the engine's split `BLAS.sgemm`.
public enum Matrix {
    /// C = alpha * op(A) * op(B) + beta * C, op(A) [m, k], op(B) [k, n], all row-major and
    /// contiguous (leading dimension = stored row length).
    public static func gemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
                     alpha: Float = 1, beta: Float = 0) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(transA ? m : k), b, Int32(transB ? k : n), beta, c, Int32(n))
    }

    /// Array form of `gemm` returning a new [m, n] matrix.
    public static func product(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                        transA: Bool = false, transB: Bool = false) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    gemm(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: m, n: n, k: k, transA: transA, transB: transB)
                }
            }
        }
        return c
    }
}
