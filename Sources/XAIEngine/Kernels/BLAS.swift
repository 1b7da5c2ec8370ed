internal import COpenBLAS
import Foundation

/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, with op(A) [m, k]
/// and op(B) [k, n]. Leading dimensions are row strides of the stored (untransposed) matrices.
enum BLAS {
    /// OpenBLAS runs single-threaded and the engine splits each product across the cores
    /// itself: OpenBLAS's idle workers otherwise spin in sched_yield while the engine's own
    /// parallel loops (depthwise, im2col, epilogues) run, and the two fight for the 2 cores.
    static let setUp: Void = { if !useOpenBLASThreads { openblas_set_num_threads(1) } }()

    /// XAI_OPENBLAS_THREADS=1 keeps OpenBLAS's own threading instead (for comparisons).
    static let useOpenBLASThreads = ProcessInfo.processInfo.environment["XAI_OPENBLAS_THREADS"] == "1"

    /// Work (m * n * k) below which one thread does the whole product.
    static let parallelThreshold = 1 << 18

    @inline(__always)
    static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // OpenBLAS does not touch C when k is 0; make beta apply as the definition says.
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        _ = setUp
        let cores = Parallel.cores
        if cores == 1 || useOpenBLASThreads || m * n * k < parallelThreshold {
            serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        } else if n >= m || n >= 64 * cores {
            // Split the columns of C (and of op(B)) in multiples of 16.
            let parts = min(cores, max(1, n / 16))
            Parallel.forRanges(parts) { r in
                for p in r {
                    let lo = (n * p / parts) & ~15, hi = p == parts - 1 ? n : (n * (p + 1) / parts) & ~15
                    guard hi > lo else { continue }
                    let bp = transB ? b + lo * ldb : b + lo
                    serial(transA, transB, m, hi - lo, k, alpha, a, lda, bp, ldb, beta, c + lo, ldc)
                }
            }
        } else {
            // Split the rows of C (and of op(A)).
            let parts = min(cores, m)
            Parallel.forRanges(parts) { r in
                for p in r {
                    let lo = m * p / parts, hi = m * (p + 1) / parts
                    guard hi > lo else { continue }
                    let ap = transA ? a + lo : a + lo * lda
                    serial(transA, transB, hi - lo, n, k, alpha, ap, lda, b, ldb, beta, c + lo * ldc, ldc)
                }
            }
        }
    }

    @inline(__always)
    private static func serial(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                               _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                               _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
