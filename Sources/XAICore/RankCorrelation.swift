/// Rank correlations between two maps: an explanation before and after the model's weights
/// were randomised (the sanity check of Adebayo et al.), or two runs' maps (`xai diff`).
/// Ties share the average of the ranks they span (scipy's `rankdata` "average" rule, which
/// `scipy.stats.spearmanr` uses), so flat regions of a map do not depend on pixel order.
public enum RankCorrelation {
    /// Spearman's rho: the Pearson correlation of the ranks, ties sharing their average rank.
    /// Returns 0 when either input is constant (no ranking information), NaN-free.
    public static func spearman(_ a: [Float], _ b: [Float]) -> Double {
        spearmanIfDefined(a, b) ?? 0
    }

    /// Spearman's rho, or nil where it is undefined: fewer than two values, or a constant input.
    public static func spearmanIfDefined(_ a: [Float], _ b: [Float]) -> Double? {
        precondition(a.count == b.count, "spearman: \(a.count) vs \(b.count) values")
        guard a.count > 1 else { return nil }
        return pearsonIfDefined(ranks(a), ranks(b))
    }

    /// Ranks 1...n, tied values receiving the mean of the ranks they span: [10, 20, 20, 30]
    /// gives [1, 2.5, 2.5, 4].
    public static func ranks(_ x: [Float]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let mean = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = mean }
            i = j + 1
        }
        return r
    }

    /// Pearson correlation; 0 when either input has zero variance.
    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        pearsonIfDefined(a, b) ?? 0
    }

    /// Pearson correlation, or nil when either input has zero variance.
    public static func pearsonIfDefined(_ a: [Double], _ b: [Double]) -> Double? {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices {
            let da = a[i] - ma, db = b[i] - mb
            sab += da * db
            saa += da * da
            sbb += db * db
        }
        guard saa > 0, sbb > 0 else { return nil }
        return sab / (saa * sbb).squareRoot()
    }
}
