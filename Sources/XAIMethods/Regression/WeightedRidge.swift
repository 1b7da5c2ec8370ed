import XAIEngine

/// The fitted local surrogate of LIME: coefficients per feature, the intercept and the weighted R^2.
public struct RidgeFit: Sendable, Equatable {
    public var coefficients: [Double]
    public var intercept: Double
    /// Weighted coefficient of determination on the training samples (the `score` LIME reports).
    public var r2: Double
}

/// Weighted ridge regression with an unpenalised intercept, the estimator LIME fits
/// (scikit-learn's `Ridge(alpha, fit_intercept=True)` with `sample_weight`):
/// minimise sum_i w_i (y_i - b0 - x_i . b)^2 + alpha |b|^2.
/// The data are centred on their weighted means, so the intercept drops out, and the normal
/// equations (Xc' W Xc + alpha I) b = Xc' W yc are solved in double precision by Cholesky
/// (SVD least squares when they are singular, i.e. alpha = 0 with collinear features).
public enum WeightedRidge {
    /// - Parameters:
    ///   - x: row-major `rows x columns` design matrix.
    ///   - y: `rows` targets; `weights`: `rows` non-negative sample weights (not all zero).
    public static func fit(x: [Double], rows: Int, columns: Int, y: [Double], weights: [Double],
                           alpha: Double) throws -> RidgeFit {
        guard x.count == rows * columns, y.count == rows, weights.count == rows else {
            throw RegressionError.shape("ridge: \(x.count) design values, \(y.count) targets and \(weights.count) weights for \(rows) x \(columns)")
        }
        let total = weights.reduce(0, +)
        guard total > 0, weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw RegressionError.degenerate("ridge: sample weights must be non-negative, finite and not all zero")
        }
        guard alpha >= 0, alpha.isFinite else { throw RegressionError.degenerate("ridge: alpha must be >= 0, got \(alpha)") }
        let p = columns
        var meanX = [Double](repeating: 0, count: p)
        var meanY = 0.0
        for i in 0..<rows {
            let wi = weights[i]
            meanY += wi * y[i]
            for j in 0..<p { meanX[j] += wi * x[i * p + j] }
        }
        meanY /= total
        for j in 0..<p { meanX[j] /= total }

        // Normal equations accumulated directly: p is small (superpixels), rows a few thousand.
        var gram = [Double](repeating: 0, count: p * p)
        var rhs = [Double](repeating: 0, count: p)
        var centred = [Double](repeating: 0, count: p)
        for i in 0..<rows {
            let wi = weights[i]
            if wi == 0 { continue }
            for j in 0..<p { centred[j] = x[i * p + j] - meanX[j] }
            let yi = wi * (y[i] - meanY)
            for j in 0..<p {
                let a = wi * centred[j]
                if a == 0 { continue }
                rhs[j] += centred[j] * yi
                for k in j..<p { gram[j * p + k] += a * centred[k] }
            }
        }
        for j in 0..<p {
            gram[j * p + j] += alpha
            for k in 0..<j { gram[j * p + k] = gram[k * p + j] }
        }
        var coefficients: [Double]
        if let c = LAPACK.solvePositiveDefinite(gram, n: p, rhs) {
            coefficients = c
        } else if let c = LAPACK.leastSquares(gram, rows: p, cols: p, rhs) {
            coefficients = c
        } else {
            throw RegressionError.degenerate("ridge: the normal equations could not be solved")
        }
        if p == 0 { coefficients = [] }
        var intercept = meanY
        for j in 0..<p { intercept -= meanX[j] * coefficients[j] }

        var residual = 0.0, spread = 0.0
        for i in 0..<rows {
            var pred = intercept
            for j in 0..<p { pred += x[i * p + j] * coefficients[j] }
            residual += weights[i] * (y[i] - pred) * (y[i] - pred)
            spread += weights[i] * (y[i] - meanY) * (y[i] - meanY)
        }
        // scikit-learn's convention for constant targets: 1 for a perfect fit, else 0.
        let r2 = spread > 0 ? 1 - residual / spread : (residual == 0 ? 1 : 0)
        return RidgeFit(coefficients: coefficients, intercept: intercept, r2: r2)
    }
}

/// Errors of the regression solvers; `description` says what was wrong with the inputs.
public enum RegressionError: Error, Equatable, CustomStringConvertible {
    case shape(String)
    case degenerate(String)

    public var description: String {
        switch self {
        case .shape(let d): return "inconsistent regression inputs: \(d)"
        case .degenerate(let d): return d
        }
    }
}
