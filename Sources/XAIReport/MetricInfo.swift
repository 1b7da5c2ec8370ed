import XAICore

/// What the report needs to know about a metric id from the manifest (`deletion`,
/// `deletion@steps=20`, or a metric the catalogue does not know): the facts come from the metric's
/// descriptor in the catalogue the caller hands in, its direction evaluated at the parameters the
/// id names.
public struct MetricInfo: Equatable, Sendable {
    /// Which way a metric improves, for arrows in table headers and marking the best method.
    public typealias Direction = MetricDirection

    public var id: String
    public var descriptor: MetricDescriptor?
    public var kind: MetricKind? { descriptor?.kind }
    public var direction: Direction

    public init(id: String, catalogue: Catalogue) {
        self.id = id
        // `KIND`, `KIND@params` or `KIND/PART@params` (a secondary value, e.g. a pointing game).
        let parts = id.split(separator: "@", maxSplits: 1).map(String.init)
        let base = parts.first ?? id
        let name = base.split(separator: "/", maxSplits: 1).first.map(String.init) ?? base
        descriptor = catalogue.metric(named: name)
        direction = descriptor.map { $0.direction(Self.params(parts.count > 1 ? parts[1] : "", of: $0)) } ?? .neither
    }

    /// The parameters an id names (`mode=remove,fraction=0.25`), read by the metric's declarations.
    static func params(_ text: String, of d: MetricDescriptor) -> ResolvedParams {
        var out = ResolvedParams()
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, let spec = d.parameters.first(where: { $0.name == kv[0] }) else { continue }
            let raw: ParamValue = Int(kv[1]).map(ParamValue.int) ?? Double(kv[1]).map(ParamValue.double)
                ?? Bool(kv[1]).map(ParamValue.bool) ?? .string(kv[1])
            out[kv[0]] = (try? spec.normalize(raw)) ?? raw
        }
        return out
    }

    /// One-line description for tooltips (empty for unknown metrics).
    public var summary: String { descriptor?.summary ?? "" }

    /// `id ↓` for headers.
    public var heading: String { direction == .neither ? id : "\(id) \(direction.arrow)" }
}

extension Catalogue {
    /// What the report shows for the metric id `id`.
    public func metricInfo(_ id: String) -> MetricInfo { MetricInfo(id: id, catalogue: self) }

    /// Known metrics in the catalogue's order, then unknown ones alphabetically.
    func sortedMetricIDs(_ ids: Set<String>) -> [String] {
        let order = Dictionary(uniqueKeysWithValues: metrics.enumerated().map { ($1.kind, $0) })
        return ids.sorted { a, b in
            let ka = metricInfo(a).kind.flatMap { order[$0] } ?? Int.max
            let kb = metricInfo(b).kind.flatMap { order[$0] } ?? Int.max
            if ka != kb { return ka < kb }
            // A metric's headline column before its secondary values.
            let sa = a.split(separator: "@").first?.contains("/") ?? false
            let sb = b.split(separator: "@").first?.contains("/") ?? false
            return sa != sb ? !sa : a < b
        }
    }
}

extension MetricDirection {
    /// `↑`, `↓` or nothing.
    public var arrow: String {
        switch self {
        case .higherIsBetter: return "↑"
        case .lowerIsBetter: return "↓"
        case .neither: return ""
        }
    }
}
