internal import COpenBLAS

/// Double-precision LAPACK solves for the methods' surrogate fits (LIME's ridge, KernelSHAP's
/// constrained least squares), here so that only the engine touches OpenBLAS. Matrices are
/// row-major Swift arrays; LAPACK is column-major, so the wrappers transpose on the way in.
public enum LAPACK {
    /// Solves the symmetric positive definite system `a x = b` (`a` is n x n) by Cholesky
    /// (`dposv`). Returns nil when `a` is not positive definite.
    public static func solvePositiveDefinite(_ a: [Double], n: Int, _ b: [Double]) -> [Double]? {
        precondition(a.count == n * n && b.count == n)
        guard n > 0 else { return [] }
        var m = a            // symmetric: row-major equals column-major
        var x = b
        var nn = Int32(n), nrhs: Int32 = 1, lda = Int32(n), ldb = Int32(n), info: Int32 = 0
        var uplo = Int8(UInt8(ascii: "L"))
        dposv_(&uplo, &nn, &nrhs, &m, &lda, &x, &ldb, &info)
        guard info == 0, x.allSatisfy(\.isFinite) else { return nil }
        return x
    }

    /// Minimum-norm least-squares solution of `a x ~ b` for a row-major `rows x cols` matrix
    /// (`dgelsd`, SVD based, so rank-deficient systems are fine). Singular values below
    /// `rcond` times the largest are treated as zero. Returns nil if the SVD does not converge.
    public static func leastSquares(_ a: [Double], rows: Int, cols: Int, _ b: [Double], rcond: Double = 1e-12) -> [Double]? {
        precondition(a.count == rows * cols && b.count == rows)
        guard cols > 0 else { return [] }
        guard rows > 0 else { return [Double](repeating: 0, count: cols) }
        var colMajor = [Double](repeating: 0, count: rows * cols)
        for r in 0..<rows { for c in 0..<cols { colMajor[c * rows + r] = a[r * cols + c] } }
        let ldb = max(rows, cols)
        var rhs = [Double](repeating: 0, count: ldb)
        for r in 0..<rows { rhs[r] = b[r] }
        var m = Int32(rows), n = Int32(cols), nrhs: Int32 = 1, lda = Int32(max(rows, 1)), ldbv = Int32(ldb)
        var s = [Double](repeating: 0, count: min(rows, cols))
        var rc = rcond, rank: Int32 = 0, info: Int32 = 0
        // Workspace query first.
        var lwork: Int32 = -1
        var workSize = [Double](repeating: 0, count: 1)
        var iworkSize = [Int32](repeating: 0, count: 1)
        dgelsd_(&m, &n, &nrhs, &colMajor, &lda, &rhs, &ldbv, &s, &rc, &rank, &workSize, &lwork, &iworkSize, &info)
        guard info == 0 else { return nil }
        lwork = Int32(max(1, Int(workSize[0])))
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: max(1, Int(iworkSize[0])))
        dgelsd_(&m, &n, &nrhs, &colMajor, &lda, &rhs, &ldbv, &s, &rc, &rank, &work, &lwork, &iwork, &info)
        guard info == 0 else { return nil }
        let x = Array(rhs.prefix(cols))
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
