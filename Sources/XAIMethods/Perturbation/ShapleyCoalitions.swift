import XAICore

/// The coalitions KernelSHAP evaluates and their Shapley-kernel weights, chosen as the shap
/// package's KernelExplainer does: subset sizes are visited from the outside in (1 and M-1,
/// then 2 and M-2, ...); while the budget covers every coalition of a size pair (in proportion
/// to that pair's kernel mass) the pair is enumerated with its exact kernel weights, and the
/// rest of the budget draws coalitions of the remaining sizes at random (so that each size gets
/// coalitions in proportion to its kernel mass; members uniformly, each with its complement),
/// merging repeats by counting
/// them, scaled to the remaining kernel mass. With a budget of 2^M - 2 or more every coalition
/// is enumerated and the fit gives the exact Shapley values.
struct ShapleyCoalitions {
    /// Row-major [count, m] membership flags.
    var members: [Bool]
    var weights: [Double]
    let m: Int
    var count: Int { weights.count }

    /// Shapley kernel mass of all coalitions of size k: (M - 1) / (k (M - k)).
    static func sizeMass(_ k: Int, _ m: Int) -> Double { Double(m - 1) / Double(k * (m - k)) }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        var r = 1.0
        for i in 0..<min(k, n - k) { r = r * Double(n - i) / Double(i + 1) }
        return r
    }

    init(m: Int, samples: Int, seed: UInt64) {
        self.m = m
        members = []
        weights = []
        guard m >= 2, samples > 0 else { return }
        let sizes = m / 2               // ceil((m - 1) / 2)
        let paired = (m - 1) / 2
        var mass = (1...sizes).map { k in ShapleyCoalitions.sizeMass(k, m) * (k <= paired ? 2 : 1) }
        let total = mass.reduce(0, +)
        mass = mass.map { $0 / total }

        var left = Double(samples)
        var enumerated = 0
        for k in 1...sizes {
            let subsets = ShapleyCoalitions.binomial(m, k) * (k <= paired ? 2 : 1)
            let share = mass[k - 1] / mass[(k - 1)...].reduce(0, +)
            guard left * share / subsets >= 1 - 1e-8 else { break }
            enumerated = k
            left -= subsets
            let w = mass[k - 1] / subsets
            forEachSubset(size: k) { flags in
                append(flags, weight: w)
                if k <= paired { append(flags.map { !$0 }, weight: w) }
            }
        }
        guard enumerated < sizes, left >= 1 else { return }

        // Random part: counts per distinct coalition, later scaled to the remaining mass. A draw of
        // a paired size adds the coalition and its complement, so paired sizes are drawn with half
        // their mass: every size then receives coalitions in proportion to its kernel mass (with an
        // even M the unpaired middle size would otherwise get half its share).
        let remainingMass = mass[enumerated...].reduce(0, +)
        let drawMass = (enumerated..<sizes).map { mass[$0] / ($0 + 1 <= paired ? 2 : 1) }
        let drawTotal = drawMass.reduce(0, +)
        let cumulative = drawMass.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1 / drawTotal) }
        var rng = SeededRandom(seed: seed, stream: 2)
        var index: [[UInt64]: Int] = [:]
        let firstRandom = count
        var added = 0
        let budget = Int(left)
        var attempts = 0
        var order = Array(0..<m)
        while added < budget && attempts < 8 * budget {
            attempts += 1
            let u = rng.nextDouble()
            let k = enumerated + 1 + (cumulative.firstIndex { u < $0 } ?? (cumulative.count - 1))
            for i in 0..<k { order.swapAt(i, i + rng.int(below: m - i)) }
            var flags = [Bool](repeating: false, count: m)
            for i in 0..<k { flags[order[i]] = true }
            for f in (k <= paired ? [flags, flags.map { !$0 }] : [flags]) {
                let key = ShapleyCoalitions.bits(f)
                if let at = index[key] { weights[at] += 1 } else { index[key] = count; append(f, weight: 1) }
                added += 1
            }
        }
        let drawn = weights[firstRandom...].reduce(0, +)
        if drawn > 0 { for i in firstRandom..<count { weights[i] *= remainingMass / drawn } }
    }

    private mutating func append(_ flags: [Bool], weight: Double) {
        members.append(contentsOf: flags)
        weights.append(weight)
    }

    private static func bits(_ f: [Bool]) -> [UInt64] {
        var b = [UInt64](repeating: 0, count: (f.count + 63) / 64)
        for (i, on) in f.enumerated() where on { b[i / 64] |= 1 << UInt64(i % 64) }
        return b
    }

    /// Calls `body` with the flags of every subset of `size` members, in lexicographic order.
    private func forEachSubset(size k: Int, _ body: ([Bool]) -> Void) {
        var idx = Array(0..<k)
        while true {
            var flags = [Bool](repeating: false, count: m)
            for i in idx { flags[i] = true }
            body(flags)
            var i = k - 1
            while i >= 0 && idx[i] == m - k + i { i -= 1 }
            if i < 0 { return }
            idx[i] += 1
            for j in (i + 1)..<k { idx[j] = idx[j - 1] + 1 }
        }
    }
}
