import Foundation
import XAICore

/// The sampling state and beam search behind `Anchors` (Ribeiro et al. 2018, following the anchor
/// package's `anchor_beam`). Samples are bit sets over the M superpixels (1 = shown) kept in
/// `pool` with their labels (target still the top class) and the anchor they were drawn for
/// (that anchor shown, every other superpixel shown with probability `pSample`).
///
/// Reuse: a row drawn for anchor B that shows every superpixel of A is a draw from D(. | A)
/// whenever B is a subset of A (the superpixels outside A stay independent Bernoulli(pSample)
/// draws), so it counts for A at no forward pass and without bias. The package reuses the rows
/// of A's ancestors on its beam path (the parent's rows that show the added superpixel); this
/// reuses the rows of every subset of A drawn so far, e.g. a size-1 sibling's rows for a size-2
/// anchor. Rows drawn for an anchor that is not a subset of A always show a superpixel A leaves
/// to chance and are never used for A.
struct AnchorSearch {
    let m: Int
    let words: Int
    let pSample: Double
    let hiding: SuperpixelHiding
    let scorer: PerturbationBatch
    let target: Int
    var rng: SeededRandom
    /// Row-major [rows, words] sample bit sets, the anchors they were drawn for, their labels.
    var pool: [UInt64] = []
    var drawnFor: [UInt64] = []
    var labels: [Bool] = []
    /// Sample counts of the anchors registered so far (sorted superpixel indices), kept up to
    /// date as rows are added.
    var arms: [[Int]: Arm] = [:]
    /// Unconstrained samples for coverage, [coverageSamples, words].
    let coverageRows: [UInt64]
    /// The label of every distinct row scored so far.
    var scored: [[UInt64]: Bool] = [:]
    /// Forward passes so far (one per distinct row).
    var evaluations = 0

    struct Arm {
        var bits: [UInt64]
        var n = 0
        var positives = 0
        var mean: Double { Double(positives) / Double(max(n, 1)) }
    }

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
        let w = max(1, (m + 63) / 64)
        var rows = [UInt64](repeating: 0, count: coverageSamples * w)
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

    /// Fraction of the unconstrained coverage samples that show every superpixel of `anchor`.
    func coverage(_ anchor: [Int]) -> Double {
        let a = bits(anchor)
        let rows = coverageRows.count / words
        guard rows > 0 else { return 0 }
        var hit = 0
        coverageRows.withUnsafeBufferPointer { p in
            for r in 0..<rows {
                var inside = true
                for k in 0..<words where p[r * words + k] & a[k] != a[k] { inside = false; break }
                if inside { hit += 1 }
            }
        }
        return Double(hit) / Double(rows)
    }

    func arm(_ anchor: [Int]) -> Arm { arms[anchor] ?? Arm(bits: bits(anchor)) }

    /// Whether pool row r is a draw from D(. | arm): drawn for a subset of the anchor and
    /// showing all of it.
    @inline(__always)
    func counts(_ r: Int, for a: [UInt64]) -> Bool {
        for k in 0..<words {
            if pool[r * words + k] & a[k] != a[k] || drawnFor[r * words + k] & ~a[k] != 0 { return false }
        }
        return true
    }

    /// Registers `anchor` with the counts of the rows drawn so far that are valid for it.
    mutating func register(_ anchor: [Int]) {
        if arms[anchor] != nil { return }
        var a = Arm(bits: bits(anchor))
        for r in 0..<labels.count where counts(r, for: a.bits) {
            a.n += 1
            if labels[r] { a.positives += 1 }
        }
        arms[anchor] = a
    }

    /// Draws `count` samples for each anchor of `anchors` and scores them in one call (the
    /// scorer runs the model `batch` images at a time). A row equal to one scored before (or
    /// earlier in this draw) takes that row's label without a forward pass: the picture is a
    /// function of the row, and with few superpixels the draws repeat a lot (with 9, at most
    /// 512 pictures exist however many rows are drawn).
    mutating func sample(_ anchors: [[Int]], count: Int) throws {
        guard count > 0, !anchors.isEmpty else { return }
        let first = labels.count
        for a in anchors {
            let fixed = bits(a)
            for _ in 0..<count {
                var row = fixed
                for j in 0..<m where rng.bernoulli(pSample) { row[j / 64] |= 1 << UInt64(j % 64) }
                pool.append(contentsOf: row)
                drawnFor.append(contentsOf: fixed)
            }
        }
        let total = anchors.count * count
        var fresh: [[UInt64]] = []
        var pending = Set<[UInt64]>()
        for r in first..<(first + total) {
            let row = Array(pool[(r * words)..<((r + 1) * words)])
            if scored[row] == nil, pending.insert(row).inserted { fresh.append(row) }
        }
        let (m, hiding) = (self.m, self.hiding)
        let scores = try scorer.scores(count: fresh.count, width: hiding.image.width, height: hiding.image.height,
                                       target: target, cacheKey: nil) { i, dst in
            var flags = [Bool](repeating: false, count: m)
            for j in 0..<m { flags[j] = fresh[i][j / 64] & (1 << UInt64(j % 64)) != 0 }
            hiding.render(active: flags, into: dst)
        }
        for (row, top) in zip(fresh, scores.isTop) { scored[row] = top }
        for r in first..<(first + total) { labels.append(scored[Array(pool[(r * words)..<((r + 1) * words)])]!) }
        evaluations += fresh.count
        // Every registered anchor takes the new rows that are valid for it.
        for key in Array(arms.keys) {
            guard var a = arms[key] else { continue }
            for r in first..<labels.count where counts(r, for: a.bits) {
                a.n += 1
                if labels[r] { a.positives += 1 }
            }
            arms[key] = a
        }
    }

    /// KL-LUCB (Kaufmann & Kalyanakrishnan 2013): indices of the `top` candidates with the
    /// highest precision, to tolerance `tau` with confidence 1 - `delta`. Each round samples
    /// `batch` more for the weakest chosen arm and the strongest rejected one, and the loop ends
    /// as soon as their bounds overlap by at most `tau`.
    mutating func lucb(_ candidates: [[Int]], top: Int, delta: Double, tau: Double, batch: Int) throws -> [Int] {
        let empty = candidates.filter { arm($0).n == 0 }
        if !empty.isEmpty { try sample(empty, count: 1) }
        let k = candidates.count
        func ranked() -> [Int] {
            let means = candidates.map { arm($0).mean }
            return candidates.indices.sorted { means[$0] != means[$1] ? means[$0] < means[$1] : $0 > $1 }
        }
        if k <= top { return Array(ranked().suffix(top).reversed()) }
        var round = 1
        while true {
            let order = ranked()
            let chosen = Array(order.suffix(top)), rest = Array(order.prefix(k - top))
            let beta = KLBounds.beta(arms: k, round: round, delta: delta)
            var ut = rest[0], lt = chosen[0]
            var best = -Double.infinity, worst = Double.infinity
            for f in rest {
                let a = arm(candidates[f])
                let u = KLBounds.upper(a.mean, level: beta / Double(a.n))
                if u > best { best = u; ut = f }
            }
            for f in chosen {
                let a = arm(candidates[f])
                let l = KLBounds.lower(a.mean, level: beta / Double(a.n))
                if l < worst { worst = l; lt = f }
            }
            if best - worst <= tau || round >= Anchors.maxRounds { return chosen.reversed() }
            try sample([candidates[ut], candidates[lt]], count: batch)
            round += 1
        }
    }

    /// Precision mean and KL bounds of `anchor` at exploration level `beta`.
    func bounds(_ anchor: [Int], beta: Double) -> (mean: Double, lower: Double, upper: Double) {
        let a = arm(anchor)
        let level = beta / Double(max(a.n, 1))
        return (a.mean, KLBounds.lower(a.mean, level: level), KLBounds.upper(a.mean, level: level))
    }

    mutating func run(threshold: Double, delta: Double, tau: Double, beam: Int, batch: Int) throws -> Result {
        let eps = Anchors.stopTolerance
        // The empty anchor may already be precise enough; its rows count for every anchor.
        register([])
        try sample([[]], count: batch)
        var start = bounds([], beta: log(1 / delta))
        var pulls = 0
        while start.mean >= threshold && start.lower < threshold - eps && pulls < Anchors.maxRounds {
            try sample([[]], count: batch)
            start = bounds([], beta: log(1 / delta))
            pulls += 1
        }
        if start.mean >= threshold && start.lower > threshold - eps {
            return Result(anchor: [], precision: start.mean, lowerBound: start.lower, coverage: 1, accepted: true)
        }
        var best: Result?
        var fallback: Result?
        var previous: [[Int]] = [[]]
        // At most beam - 1 extra anchors per size and M sizes share the confidence budget.
        let beta = log(1 / (delta / (1 + Double(beam - 1) * Double(m))))
        var coverages: [[Int]: Double] = [:]
        for _ in 1...max(m, 1) {
            // Extend every anchor of the beam by one superpixel (deduplicated, sorted).
            var candidates: [[Int]] = []
            var seen = Set<[Int]>()
            for a in previous {
                for j in 0..<m where !a.contains(j) {
                    let c = (a + [j]).sorted()
                    guard seen.insert(c).inserted else { continue }
                    let cov = coverages[c] ?? coverage(c)
                    coverages[c] = cov
                    // Only anchors that could beat the best accepted coverage are worth sampling.
                    if cov > (best?.coverage ?? -1) {
                        register(c)
                        candidates.append(c)
                    }
                }
            }
            if candidates.isEmpty { break }
            let chosen = try lucb(candidates, top: min(beam, candidates.count), delta: delta, tau: tau, batch: batch)
            previous = chosen.map { candidates[$0] }
            for anchor in previous {
                var b = bounds(anchor, beta: beta)
                var pulls = 0
                while ((b.mean >= threshold && b.lower < threshold - eps) || (b.mean < threshold && b.upper >= threshold + eps))
                        && pulls < Anchors.maxRounds {
                    try sample([anchor], count: batch)
                    b = bounds(anchor, beta: beta)
                    pulls += 1
                }
                let r = Result(anchor: anchor, precision: b.mean, lowerBound: b.lower, coverage: coverages[anchor] ?? 0,
                               accepted: b.mean >= threshold && b.lower > threshold - eps)
                if r.accepted, r.coverage > (best?.coverage ?? -1) { best = r }
                if fallback == nil || r.precision > fallback!.precision { fallback = r }
            }
            if let b = best, b.coverage >= 1 { break }
        }
        if let best { return best }
        return fallback ?? Result(anchor: [], precision: start.mean, lowerBound: start.lower, coverage: 1, accepted: false)
    }
}
