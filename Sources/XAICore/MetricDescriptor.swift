/// Which way a metric improves, for arrows in table headers and marking the best method.
public enum MetricDirection: String, Sendable {
    case higherIsBetter, lowerIsBetter, neither

    /// The other way (`neither` stays).
    public var reversed: MetricDirection {
        switch self {
        case .higherIsBetter: return .lowerIsBetter
        case .lowerIsBetter: return .higherIsBetter
        case .neither: return .neither
        }
    }
}

/// Everything the tool knows about one evaluation metric apart from its code: name, summary,
/// paper, implementation version, parameters, which way is better and where it applies. Each
/// metric declares its descriptor beside its implementation; the metrics module lists them.
public struct MetricDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// Axis labels of a metric that records a curve.
    public struct Curve: Sendable, Hashable {
        public let x: String
        public let y: String

        public init(x: String, y: String) {
            self.x = x
            self.y = y
        }
    }

    public let kind: MetricKind
    /// One line describing the metric.
    public let summary: String
    public let paper: String
    /// Implementation version, part of the metric's cache key; bump it when its values change.
    public let version: Int
    /// The metric's parameters with their defaults.
    public let parameters: [ParameterSpec]
    /// Whether the metric needs ground-truth `annotations:` in the experiment.
    public let needsAnnotations: Bool
    /// The only methods the metric is defined for (nil: every method that produces an
    /// attribution map), e.g. a completeness gap exists only for the method that promises it.
    public let onlyFor: [MethodKind]?
    /// The axes of the curve the metric records, if any.
    public let curve: Curve?
    /// Names of `extra` values that published comparisons report beside the headline value
    /// (localisation's pointing games beside its IoU); the report gives each its own column.
    public let secondaryValues: [String]
    private let directionRule: @Sendable (ResolvedParams) -> MetricDirection

    public init(_ name: String, summary: String, paper: String, version: Int = 1,
                parameters: [any ParameterDeclaration], needsAnnotations: Bool = false, onlyFor: [MethodKind]? = nil,
                curve: Curve? = nil, secondaryValues: [String] = [],
                direction: @escaping @Sendable (ResolvedParams) -> MetricDirection) {
        self.kind = MetricKind(name)
        self.summary = summary
        self.paper = paper
        self.version = version
        self.parameters = parameters.map(\.spec)
        self.needsAnnotations = needsAnnotations
        self.onlyFor = onlyFor
        self.curve = curve
        self.secondaryValues = secondaryValues
        self.directionRule = direction
    }

    /// A metric whose better direction does not depend on its parameters.
    public init(_ name: String, summary: String, paper: String, version: Int = 1,
                parameters: [any ParameterDeclaration], needsAnnotations: Bool = false, onlyFor: [MethodKind]? = nil,
                curve: Curve? = nil, secondaryValues: [String] = [], direction: MetricDirection) {
        self.init(name, summary: summary, paper: paper, version: version, parameters: parameters,
                  needsAnnotations: needsAnnotations, onlyFor: onlyFor, curve: curve, secondaryValues: secondaryValues,
                  direction: { _ in direction })
    }

    public var description: String { kind.rawValue }

    /// Which way is better for a run with `params` (defaults fill what is not given).
    public func direction(_ params: ResolvedParams) -> MetricDirection {
        var full = params
        for s in parameters where full[s.name] == nil { full[s.name] = s.defaultValue }
        return directionRule(full)
    }

    /// Whether the metric is defined for results of `method`.
    public func applies(to method: MethodDescriptor) -> Bool {
        guard method.producesAttributionMap else { return false }
        return onlyFor.map { $0.contains(method.kind) } ?? true
    }

    // Identity is the name: a catalogue holds one descriptor per name.
    public static func == (a: MetricDescriptor, b: MetricDescriptor) -> Bool { a.kind == b.kind }
    public func hash(into h: inout Hasher) { h.combine(kind) }
}
