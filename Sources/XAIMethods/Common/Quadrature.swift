import XAICore
import Foundation

/// A rule for integrating along the path of integrated gradients: points `alphas` in [0, 1]
/// (0 = baseline, 1 = input) and `weights` that sum to 1, so that a constant integrand
/// (a linear model) is integrated exactly for every rule and every number of points.
public enum QuadratureRule: String, ParamChoice {
    case riemannLeft = "riemann_left"
    case riemannRight = "riemann_right"
    case riemannMiddle = "riemann_middle"
    /// Composite trapezoid on n equally spaced points including both ends: weights
    /// 1/(2(n-1)) at the ends and 1/(n-1) inside (sum exactly 1; Captum's variant sums to (n-1)/n).
    case riemannTrapezoid = "riemann_trapezoid"
    /// n-point Gauss-Legendre on [0, 1]: exact for polynomials of degree 2n - 1.
    case gaussLegendre = "gauss_legendre"

    /// The smallest number of points the rule accepts.
    public var minimumPoints: Int { self == .riemannTrapezoid ? 2 : 1 }

    /// Points and weights for `n` points (n >= `minimumPoints`), computed in double precision.
    public func points(_ n: Int) -> (alphas: [Double], weights: [Double]) {
        precondition(n >= minimumPoints, "\(rawValue) needs at least \(minimumPoints) points, got \(n)")
        let dn = Double(n)
        switch self {
        case .riemannLeft:
            return ((0..<n).map { Double($0) / dn }, [Double](repeating: 1 / dn, count: n))
        case .riemannRight:
            return ((0..<n).map { Double($0 + 1) / dn }, [Double](repeating: 1 / dn, count: n))
        case .riemannMiddle:
            return ((0..<n).map { (Double($0) + 0.5) / dn }, [Double](repeating: 1 / dn, count: n))
        case .riemannTrapezoid:
            let h = 1 / Double(n - 1)
            let alphas = (0..<n).map { $0 == n - 1 ? 1 : Double($0) * h }
            var w = [Double](repeating: h, count: n)
            w[0] = h / 2
            w[n - 1] = h / 2
            return (alphas, w)
        case .gaussLegendre:
            let (t, w) = QuadratureRule.legendre(n)
            // [-1, 1] -> [0, 1]: alpha = (t + 1) / 2, weight halves.
            return (t.map { ($0 + 1) / 2 }, w.map { $0 / 2 })
        }
    }

    /// Gauss-Legendre nodes (ascending) and weights on [-1, 1] (weights sum to 2). Each root of
    /// P_n is found by Newton's method from the Chebyshev-like guess cos(pi (i + 3/4) / (n + 1/2)),
    /// evaluating P_n and its derivative with the three-term recurrence.
    static func legendre(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        var nodes = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        let dn = Double(n)
        for i in 0..<((n + 1) / 2) {
            var x = cos(Double.pi * (Double(i) + 0.75) / (dn + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                // Three-term recurrence: after the loop p = P_n(x), previous = P_{n-1}(x).
                var previous = 1.0, p = x
                if n >= 2 {
                    for k in 2...n {
                        let dk = Double(k)
                        let next = ((2 * dk - 1) * x * p - (dk - 1) * previous) / dk
                        previous = p
                        p = next
                    }
                }
                // P'_n(x) = n (x P_n - P_{n-1}) / (x^2 - 1)
                derivative = dn * (x * p - previous) / (x * x - 1)
                let dx = p / derivative
                x -= dx
                if abs(dx) < 1e-15 { break }
            }
            let w = 2 / ((1 - x * x) * derivative * derivative)
            nodes[i] = -x
            nodes[n - 1 - i] = x
            weights[i] = w
            weights[n - 1 - i] = w
        }
        if n % 2 == 1 { nodes[n / 2] = 0 }
        return (nodes, weights)
    }
}
