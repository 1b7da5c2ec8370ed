/// The name of an explanation method: its key in experiment files, the CLI argument and the
/// manifest's `method`. Only a name: what a method is and does lives in its `MethodDescriptor`,
/// declared beside its implementation, and the list of known methods is the caller's catalogue.
public struct MethodKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ name: String) {
        self.rawValue = name
    }

    public var description: String { rawValue }
}
