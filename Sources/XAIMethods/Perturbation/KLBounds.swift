import Foundation

/// Confidence bounds on a Bernoulli mean from the Kullback-Leibler divergence, as used by the
/// KL-LUCB bandit of anchors (Kaufmann & Kalyanakrishnan 2013; Ribeiro et al. 2018).
enum KLBounds {
    /// KL(Bernoulli(p) || Bernoulli(q)), with both clamped away from 0 and 1.
    static func divergence(_ p: Double, _ q: Double) -> Double {
        let p = min(max(p, 1e-7), 1 - 1e-7), q = min(max(q, 1e-7), 1 - 1e-7)
        return p * log(p / q) + (1 - p) * log((1 - p) / (1 - q))
    }

    /// Largest q >= p with KL(p || q) <= level (bisection).
    static func upper(_ p: Double, level: Double) -> Double {
        var lo = p, hi = min(1, p + (level / 2).squareRoot())
        for _ in 0..<20 {
            let mid = (lo + hi) / 2
            if divergence(p, mid) > level { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// Smallest q <= p with KL(p || q) <= level (bisection).
    static func lower(_ p: Double, level: Double) -> Double {
        var hi = p, lo = max(0, p - (level / 2).squareRoot())
        for _ in 0..<20 {
            let mid = (lo + hi) / 2
            if divergence(p, mid) > level { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// The exploration rate of KL-LUCB at round t for `arms` arms.
    static func beta(arms: Int, round t: Int, delta: Double) -> Double {
        let temp = log(405.5 * Double(arms) * pow(Double(t), 1.1) / delta)
        return temp + log(temp)
    }
}
