extension Engine {
    /// The addressable tensor named `nameOrPrefix`, or the only one starting with it.
    /// Throws `.ambiguousTensor` listing the candidates, or `.unknownTensor` with near matches.
    public func resolveTensor(_ nameOrPrefix: String) throws -> String {
        if itemShapes[nameOrPrefix] != nil { return nameOrPrefix }
        let matches = order.filter { $0.hasPrefix(nameOrPrefix) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw EngineError.ambiguousTensor(prefix: nameOrPrefix, matches: matches) }
        throw unknown(nameOrPrefix)
    }

    /// `.unknownTensor` with up to five near matches: small edit distance or containing the query.
    func unknown(_ name: String) -> EngineError {
        let q = Array(name.lowercased())
        let limit = max(2, q.count / 3)
        var scored: [(String, Int)] = []
        for candidate in order {
            let c = candidate.lowercased()
            let d = Engine.editDistance(q, Array(c))
            if d <= limit {
                scored.append((candidate, d))
            } else if !q.isEmpty, c.contains(String(q)) {
                scored.append((candidate, limit + 1))
            }
        }
        scored.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return .unknownTensor(name: name, nearMatches: scored.prefix(5).map(\.0))
    }

    /// Levenshtein distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = prev
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
