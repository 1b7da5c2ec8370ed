import Foundation
import XAICore

/// Percentile bootstrap confidence intervals of a mean, reproducible from a seed.
public enum Bootstrap {
    /// A mean with its interval.
    public struct Interval: Equatable, Sendable {
        public var mean: Double
        /// Lower and upper bounds; nil with fewer than two values (no spread to resample).
        public var lower: Double?
        public var upper: Double?
        public var count: Int

        public init(mean: Double, lower: Double?, upper: Double?, count: Int) {
            self.mean = mean
            self.lower = lower
            self.upper = upper
            self.count = count
        }
    }

    /// The mean of `values` and its `confidence` (0.95) percentile bootstrap interval from
    /// `resamples` (1000) resamples with replacement drawn by a SplitMix64 generator seeded
    /// with `seed`. Same inputs, same interval, on every machine.
    public static func meanInterval(_ values: [Double], resamples: Int = 1000, confidence: Double = 0.95,
                                    seed: UInt64 = 0) -> Interval {
        let n = values.count
        guard n > 0 else { return Interval(mean: .nan, lower: nil, upper: nil, count: 0) }
        let mean = values.reduce(0, +) / Double(n)
        guard n > 1, resamples > 0 else { return Interval(mean: mean, lower: nil, upper: nil, count: n) }
        var rng = SplitMix64(seed: seed)
        var means = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var sum = 0.0
            for _ in 0..<n { sum += values[rng.index(below: n)] }
            means[r] = sum / Double(n)
        }
        means.sort()
        let tail = (1 - confidence) / 2 * 100
        return Interval(mean: mean, lower: percentile(sorted: means, tail),
                        upper: percentile(sorted: means, 100 - tail), count: n)
    }

    /// The p-th percentile (0...100) of sorted values, interpolating linearly between order
    /// statistics (numpy's default rule).
    static func percentile(sorted v: [Double], _ p: Double) -> Double {
        let q = min(max(p, 0), 100) / 100 * Double(v.count - 1)
        let i = Int(q.rounded(.down))
        let f = q - Double(i)
        return i + 1 < v.count ? v[i] + (v[i + 1] - v[i]) * f : v[v.count - 1]
    }
}
