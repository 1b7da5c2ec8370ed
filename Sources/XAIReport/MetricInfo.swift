import XAICore

/// What the report needs to know about a metric id from the manifest (`deletion`,
/// `deletion@steps=20`, or a metric this module does not know).
public struct MetricInfo: Equatable, Sendable {
    /// Which way a metric improves, for arrows in table headers and marking the best method.
    public enum Direction: String, Sendable {
        case higherIsBetter, lowerIsBetter, neither

        /// `↑`, `↓` or nothing.
        public var arrow: String {
            switch self {
            case .higherIsBetter: return "↑"
            case .lowerIsBetter: return "↓"
            case .neither: return ""
            }
        }
    }

    public var id: String
    public var kind: MetricKind?
    public var direction: Direction

    public init(id: String) {
        self.id = id
        // `KIND`, `KIND@params` or `KIND/PART@params` (a secondary value, e.g. a pointing game).
        let base = id.split(separator: "@", maxSplits: 1).first.map(String.init) ?? id
        kind = MetricKind(rawValue: base.split(separator: "/", maxSplits: 1).first.map(String.init) ?? base)
        direction = kind.map(MetricInfo.direction) ?? .neither
        // With the subject occluded (`mode: remove`) a good map makes the confidence fall:
        // a larger drop and fewer increases are better.
        let params = id.split(separator: "@", maxSplits: 1).dropFirst().first?.split(separator: ",") ?? []
        if kind == .confidenceDrop || kind == .confidenceIncrease, params.contains("mode=remove") {
            direction = direction == .higherIsBetter ? .lowerIsBetter : .higherIsBetter
        }
    }

    /// Lower is better for removal scores, gaps and similarity to a randomised model; higher
    /// for insertion, confidence gains, ROAD's (LeRF - MoRF) / 2, localisation, correlation
    /// with score drops and sparseness.
    static func direction(_ k: MetricKind) -> Direction {
        switch k {
        case .confidenceDrop, .deletion, .sanityRandomization, .maxSensitivity, .igCompleteness, .shapEfficiency:
            return .lowerIsBetter
        case .confidenceIncrease, .road, .insertion, .localisation, .faithfulnessCorrelation, .sparseness:
            return .higherIsBetter
        }
    }

    /// One-line description for tooltips (empty for unknown metrics).
    public var summary: String { kind?.summary ?? "" }

    /// `id ↓` for headers.
    public var heading: String { direction == .neither ? id : "\(id) \(direction.arrow)" }

    /// Known metrics in the catalogue's order, then unknown ones alphabetically.
    static func sorted(_ ids: Set<String>) -> [String] {
        let order = Dictionary(uniqueKeysWithValues: MetricKind.allCases.enumerated().map { ($1, $0) })
        return ids.sorted { a, b in
            let ka = MetricInfo(id: a).kind.flatMap { order[$0] } ?? Int.max
            let kb = MetricInfo(id: b).kind.flatMap { order[$0] } ?? Int.max
            if ka != kb { return ka < kb }
            // A metric's headline column before its secondary values.
            let sa = a.split(separator: "@").first?.contains("/") ?? false
            let sb = b.split(separator: "@").first?.contains("/") ?? false
            return sa != sb ? !sa : a < b
        }
    }
}
