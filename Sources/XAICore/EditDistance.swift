/// Levenshtein distance and "did you mean" suggestions for misspelt names.
public enum EditDistance {
    /// The number of single-character insertions, deletions, substitutions and swaps of two
    /// neighbouring characters turning `a` into `b` (optimal string alignment distance).
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        // d[i][j] for the prefixes x[..<i], y[..<j]; three rows are enough for the swap case.
        var older = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var d = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d = Swift.min(d, older[j - 2] + 1) }
                current[j] = d
            }
            (older, previous, current) = (previous, current, older)
        }
        return previous[y.count]
    }

    /// The closest candidate to `word`, if it is close enough to be a plausible typo:
    /// distance at most max(1, len/3) (at most 3), or a case-insensitive match, or a unique
    /// candidate that starts with `word`. Ties go to the candidate listed first.
    public static func suggestion(for word: String, among candidates: [String]) -> String? {
        guard !word.isEmpty, !candidates.isEmpty else { return nil }
        if let same = candidates.first(where: { $0.lowercased() == word.lowercased() }) { return same }
        let limit = Swift.min(3, Swift.max(1, word.count / 3))
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word.lowercased(), c.lowercased())
            if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
        }
        if let best { return best.0 }
        let prefixed = candidates.filter { $0.hasPrefix(word) }
        return prefixed.count == 1 ? prefixed[0] : nil
    }
}
