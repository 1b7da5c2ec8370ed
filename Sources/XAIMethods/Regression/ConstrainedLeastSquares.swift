import XAIEngine

/// Weighted least squares whose coefficients must add up to a given total, the fit behind
/// KernelSHAP: minimise sum_i w_i (y_i - z_i . phi)^2 subject to sum_j phi_j = total.
///
/// The constraint is eliminated as the shap package does: phi_M = total - sum_{j<M} phi_j turns
/// the problem into an unconstrained one in M - 1 unknowns with features z_ij - z_iM and targets
/// y_i - z_iM * total, solved by SVD least squares (`dgelsd`) on rows scaled by sqrt(w_i).
/// The constraint then holds to rounding, whatever the samples.
public enum ConstrainedLeastSquares {
    /// - Parameters:
    ///   - z: row-major `rows x columns` design matrix; `y`, `weights`: `rows` values each.
    public static func solve(z: [Double], rows: Int, columns: Int, y: [Double], weights: [Double],
                             total: Double) throws -> [Double] {
        guard z.count == rows * columns, y.count == rows, weights.count == rows else {
            throw RegressionError.shape("constrained least squares: \(z.count) design values, \(y.count) targets, \(weights.count) weights for \(rows) x \(columns)")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw RegressionError.degenerate("constrained least squares: weights must be non-negative and finite")
        }
        let m = columns
        guard m > 1 else { return m == 1 ? [total] : [] }
        let k = m - 1
        var a = [Double](repeating: 0, count: rows * k)
        var b = [Double](repeating: 0, count: rows)
        for i in 0..<rows {
            let s = weights[i].squareRoot()
            let last = z[i * m + k]
            for j in 0..<k { a[i * k + j] = s * (z[i * m + j] - last) }
            b[i] = s * (y[i] - last * total)
        }
        guard var phi = LAPACK.leastSquares(a, rows: rows, cols: k, b) else {
            throw RegressionError.degenerate("constrained least squares: the SVD did not converge")
        }
        phi.append(total - phi.reduce(0, +))
        return phi
    }
}
