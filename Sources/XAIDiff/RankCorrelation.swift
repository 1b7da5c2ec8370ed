import Foundation

/// Spearman's rank correlation of two attribution maps: the Pearson correlation of their
/// ranks, with tied values given the average of the ranks they span (scipy's `rankdata`
/// "average" rule, which `scipy.stats.spearmanr` uses), so flat regions of a map (zeros of
/// a ReLU'd Grad-CAM) do not depend on pixel order.
public enum RankCorrelation {
    /// 1-based ranks of `values`, ties averaged: [10, 20, 20, 30] gives [1, 2.5, 2.5, 4].
    public static func averageRanks(_ values: [Float]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            // Positions start...end (0-based) hold one value: ranks start+1 ... end+1, averaged.
            let rank = Double(start + end) / 2 + 1
            for i in start...end { ranks[order[i]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// Spearman's rho of two maps with the same number of values; nil when either is constant
    /// (its ranks have no spread, so the correlation is undefined) or there are fewer than two.
    public static func spearman(_ a: [Float], _ b: [Float]) -> Double? {
        precondition(a.count == b.count, "spearman: \(a.count) values against \(b.count)")
        guard a.count >= 2 else { return nil }
        return pearson(averageRanks(a), averageRanks(b))
    }

    /// Pearson's r; nil when either side has no spread.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return nil }
        return min(1, max(-1, sxy / (sxx * syy).squareRoot()))
    }
}
