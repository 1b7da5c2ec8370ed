/// The name of an evaluation metric: its key under `metrics:` and in the manifest. Only a name:
/// what a metric is lives in its `MetricDescriptor`, declared beside its implementation.
public struct MetricKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ name: String) {
        self.rawValue = name
    }

    public var description: String { rawValue }
}
