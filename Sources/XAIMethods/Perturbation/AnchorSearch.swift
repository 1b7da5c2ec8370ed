import Foundation
import XAICore

/// The sampling state and beam search behind `Anchors`. Anchors and samples are bit sets over
/// the M superpixels; `pool` holds every sample drawn so far with its label (target still top).
struct AnchorSearch {
    let m: Int
    let words: Int
    let pSample: Double
    let hiding: SuperpixelHiding
    let scorer: PerturbationBatch
    let target: Int
    var rng: SeededRandom
    /// Row-major [rows, words] sample bit sets and their labels.
    var pool: [UInt64] = []
    var labels: [Bool] = []
    /// Unconstrained samples for coverage, [coverageSamples, words].
    let coverageRows: [UInt64]
    var evaluations = 0

    struct Result {
        var anchor: [Int]
        var precision: Double
        var lowerBound: Double
        var coverage: Double
        var accepted: Bool
    }

    init(m: Int, pSample: Double, seed: UInt64, hiding: SuperpixelHiding, scorer: PerturbationBatch,
         target: Int, coverageSamples: Int) {
        self.m = m
        self.words = max(1, (m + 63) / 64)
        self.pSample = pSample
        self.hiding = hiding
        self.scorer = scorer
        self.target = target
        var cov = SeededRandom(seed: seed, stream: 4)
        var rows = [UInt64](repeating: 0, count: coverageSamples * max(1, (m + 63) / 64))
        let w = max(1, (m + 63) / 64)
        for r in 0..<coverageSamples {
            for j in 0..<m where cov.bernoulli(pSample) { rows[r * w + j / 64] |= 1 << UInt64(j % 64) }
        }
        coverageRows = rows
        rng = SeededRandom(seed: seed, stream: 3)
    }

    func bits(_ anchor: [Int]) -> [UInt64] {
        var b = [UInt64](repeating: 0, count: words)
        for j in anchor { b[j / 64] |= 1 << UInt64(j % 64) }
        return b
    }

    func coverage(_ a: [UInt64]) -> Double {
        let rows = coverageRows.count / words
        guard rows > 0 else { return 0 }
        var hit = 0
        for r in 0..<rows where (0..<words).allSatisfy({ coverageRows[r * words + $0] & a[$0] == a[$0] }) { hit += 1 }
        return Double(hit) / Double(rows)
    }

    /// (samples, positives) of the pooled samples containing `a`.
    func stats(_ a: [UInt64]) -> (n: Int, positive: Int) {
        var n = 0, pos = 0
        pool.withUnsafeBufferPointer { p in
            for r in 0..<labels.count {
                var inside = true
                for k in 0..<words where p[r * words + k] & a[k] != a[k] { inside = false; break }
                if inside { n += 1; if labels[r] { pos += 1 } }
            }
        }
        return (n, pos)
    }

    /// Draws `count` samples for each anchor of `anchors` and scores them in one call.
    mutating func sample(_ anchors: [[UInt64]], count: Int) throws {
        let first = labels.count
        for a in anchors {
            for _ in 0..<count {
                var row = a
                for j in 0..<m where rng.bernoulli(pSample) { row[j / 64] |= 1 << UInt64(j % 64) }
                pool.append(contentsOf: row)
            }
        }
        let total = anchors.count * count
        let (words, m, hiding) = (self.words, self.m, self.hiding)
        let rows = pool
        let scores = try scorer.scores(count: total, width: hiding.image.width, height: hiding.image.height,
                                       target: target, cacheKey: nil) { i, dst in
            let r = first + i
            var flags = [Bool](repeating: false, count: m)
            for j in 0..<m { flags[j] = rows[r * words + j / 64] & (1 << UInt64(j % 64)) != 0 }
            hiding.render(active: flags, into: dst)
        }
        labels.append(contentsOf: scores.isTop)
        evaluations += total
    }

    /// KL-LUCB: indices of the `top` candidates with the highest precision, to tolerance `tau`.
    mutating func lucb(_ candidates: [[UInt64]], top: Int, delta: Double, tau: Double, batch: Int) throws -> [Int] {
        if candidates.count <= top { return Array(candidates.indices) }
        let empty = candidates.filter { stats($0).n == 0 }
        if !empty.isEmpty { try sample(empty, count: 1) }
        var round = 1
        while true {
            let s = candidates.map { stats($0) }
            let means = s.map { Double($0.positive) / Double(max($0.n, 1)) }
            let order = candidates.indices.sorted { means[$0] != means[$1] ? means[$0] < means[$1] : $0 > $1 }
            let chosen = Array(order.suffix(top)), rest = Array(order.prefix(order.count - top))
            let beta = KLBounds.beta(arms: candidates.count, round: round, delta: delta)
            var ut = rest[0], lt = chosen[0]
            var best = -Double.infinity, worst = Double.infinity
            for f in rest {
                let u = KLBounds.upper(means[f], level: beta / Double(s[f].n))
                if u > best { best = u; ut = f }
            }
            for f in chosen {
                let l = KLBounds.lower(means[f], level: beta / Double(s[f].n))
                if l < worst { worst = l; lt = f }
            }
            if best - worst <= tau || round >= Anchors.maxRounds { return chosen }
            try sample([candidates[ut], candidates[lt]], count: batch)
            round += 1
        }
    }

    /// Precision mean and bounds of `a` at confidence level `beta`.
    func bounds(_ a: [UInt64], beta: Double) -> (mean: Double, lower: Double, upper: Double, n: Int) {
        let s = stats(a)
        let n = max(s.n, 1)
        let mean = Double(s.positive) / Double(n)
        return (mean, KLBounds.lower(mean, level: beta / Double(n)), KLBounds.upper(mean, level: beta / Double(n)), s.n)
    }

    mutating func run(threshold: Double, delta: Double, tau: Double, beam: Int, batch: Int) throws -> Result {
        let eps = Anchors.stopTolerance
        // The empty anchor may already be precise enough.
        try sample([bits([])], count: batch)
        let start = bounds(bits([]), beta: log(1 / delta))
        if start.mean >= threshold && start.lower > threshold - eps {
            return Result(anchor: [], precision: start.mean, lowerBound: start.lower, coverage: 1, accepted: true)
        }
        var best: Result?
        var fallback: Result?
        var previous: [[Int]] = [[]]
        let beta = log(1 / (delta / (1 + Double(beam - 1) * Double(m))))
        for _ in 1...max(m, 1) {
            // Extend every anchor of the beam by one superpixel (deduplicated, sorted).
            var seen = Set<[Int]>()
            var candidates: [[Int]] = []
            for a in previous {
                for j in 0..<m where !a.contains(j) {
                    let c = (a + [j]).sorted()
                    if seen.insert(c).inserted { candidates.append(c) }
                }
            }
            let bestCoverage = best?.coverage ?? -1
            let coverages = candidates.map { coverage(bits($0)) }
            let kept = candidates.indices.filter { coverages[$0] > bestCoverage }
            if kept.isEmpty { break }
            let keptBits = kept.map { bits(candidates[$0]) }
            let chosen = try lucb(keptBits, top: beam, delta: delta, tau: tau, batch: batch)
            previous = chosen.map { candidates[kept[$0]] }
            for c in chosen {
                let a = keptBits[c]
                var b = bounds(a, beta: beta)
                var pulls = 0
                while ((b.mean >= threshold && b.lower < threshold - eps) || (b.mean < threshold && b.upper >= threshold + eps))
                        && pulls < Anchors.maxRounds {
                    try sample([a], count: batch)
                    b = bounds(a, beta: beta)
                    pulls += 1
                }
                let r = Result(anchor: candidates[kept[c]], precision: b.mean, lowerBound: b.lower,
                               coverage: coverages[kept[c]], accepted: b.mean >= threshold && b.lower > threshold - eps)
                if r.accepted, r.coverage > (best?.coverage ?? -1) { best = r }
                if fallback == nil || r.precision > fallback!.precision { fallback = r }
            }
            if let b = best, b.coverage >= 1 { break }
        }
        if let best { return best }
        return fallback ?? Result(anchor: [], precision: start.mean, lowerBound: start.lower, coverage: 1, accepted: false)
    }
}
