/// The methods and metrics a program knows, handed down by whoever links their implementations
/// (the CLI, tests) to the code that only reads their descriptors (the experiment loader, the
/// planner, the report), so those modules need not depend on the implementations.
public struct Catalogue: Sendable, Equatable {
    /// In listing order.
    public let methods: [MethodDescriptor]
    /// In listing order.
    public let metrics: [MetricDescriptor]

    public init(methods: [MethodDescriptor], metrics: [MetricDescriptor]) {
        self.methods = methods
        self.metrics = metrics
    }

    /// The method called `name`.
    public func method(named name: String) -> MethodDescriptor? {
        methods.first { $0.kind.rawValue == name }
    }

    /// The metric called `name`.
    public func metric(named name: String) -> MetricDescriptor? {
        metrics.first { $0.kind.rawValue == name }
    }
}

extension Catalogue {
    /// Where a decoder of experiment types finds the catalogue that names their methods and metrics.
    public static let userInfoKey = CodingUserInfoKey(rawValue: "xai.catalogue")!

    /// The catalogue in `decoder.userInfo`.
    public static func from(_ decoder: Decoder) throws -> Catalogue {
        guard let c = decoder.userInfo[userInfoKey] as? Catalogue else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "decoding methods and metrics needs a Catalogue in userInfo"))
        }
        return c
    }

    /// The method whose name is stored under `key`.
    public static func method<K: CodingKey>(_ c: KeyedDecodingContainer<K>, forKey key: K, decoder: Decoder) throws -> MethodDescriptor {
        let name = try c.decode(String.self, forKey: key)
        guard let d = try from(decoder).method(named: name) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown method '\(name)'")
        }
        return d
    }
}
