/// The complete, validated parameters of one method run or metric: every declared parameter is
/// present (defaults filled in) and normalised, so two runs with the same settings compare equal
/// and have the same `canonicalString`, whatever the file spelt out.
public struct ResolvedParams: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Parameter name -> value.
    public private(set) var values: [String: ParamValue]

    public init(_ values: [String: ParamValue] = [:]) {
        self.values = values
    }

    /// Fills every parameter of `specs` that `given` does not set with its default.
    /// `given` must already be normalised (see `ParameterSpec.normalize`).
    public init(specs: [ParameterSpec], given: [String: ParamValue]) {
        var v = given
        for s in specs where v[s.name] == nil { v[s.name] = s.defaultValue }
        self.values = v
    }

    /// Parameter names in sorted order.
    public var keys: [String] { values.keys.sorted() }

    public subscript(name: String) -> ParamValue? {
        get { values[name] }
        set { values[name] = newValue }
    }

    /// `name=value` pairs in sorted key order joined by commas, e.g. `stride=8,window=16`.
    /// Deterministic; used in cache keys and readable task ids.
    public var canonicalString: String { canonicalString(keys: keys) }

    /// The canonical form restricted to `keys` (sorted; keys without a value are skipped).
    public func canonicalString(keys: [String]) -> String {
        keys.sorted().compactMap { k in values[k].map { "\(k)=\($0)" } }.joined(separator: ",")
    }

    public var description: String { canonicalString }

    /// The parameters whose role is `.compute` in `specs` (drops colormap / overlay_alpha), for
    /// cache keys of the explanation itself; names not declared in `specs` are kept.
    public func computeOnly(_ specs: [ParameterSpec]) -> ResolvedParams {
        let display = Set(specs.filter { $0.role == .display }.map(\.name))
        return ResolvedParams(values.filter { !display.contains($0.key) })
    }

    /// Each value re-normalised by its declaration in `specs` (values without one, or that do
    /// not fit, are kept). JSON does not tell `4.0` from `4`, so decoders call this to restore
    /// the canonical types.
    public func normalized(with specs: [ParameterSpec]) -> ResolvedParams {
        var out = values
        for (k, v) in values {
            if let spec = specs.first(where: { $0.name == k }), let n = try? spec.normalize(v) { out[k] = n }
        }
        return ResolvedParams(out)
    }

    /// A copy restricted to `names`.
    public func restricted(to names: [String]) -> ResolvedParams {
        let keep = Set(names)
        return ResolvedParams(values.filter { keep.contains($0.key) })
    }

    // MARK: typed access (throws when a parameter is missing or has another type)

    public func value(_ name: String) throws -> ParamValue {
        guard let v = values[name] else { throw ResolvedParamsError.missing(name, available: keys) }
        return v
    }

    public func int(_ name: String) throws -> Int {
        let v = try value(name)
        guard let i = v.intValue else { throw ResolvedParamsError.wrongType(name, expected: "an integer", got: v) }
        return i
    }

    /// A number; integers are widened.
    public func double(_ name: String) throws -> Double {
        let v = try value(name)
        guard let d = v.numberValue else { throw ResolvedParamsError.wrongType(name, expected: "a number", got: v) }
        return d
    }

    public func bool(_ name: String) throws -> Bool {
        let v = try value(name)
        guard let b = v.boolValue else { throw ResolvedParamsError.wrongType(name, expected: "true or false", got: v) }
        return b
    }

    public func string(_ name: String) throws -> String {
        let v = try value(name)
        guard let s = v.stringValue else { throw ResolvedParamsError.wrongType(name, expected: "a word", got: v) }
        return s
    }

    /// An `intOrPair` parameter as (h, w): `16` gives (16, 16), `[8, 16]` gives (8, 16).
    public func intPair(_ name: String) throws -> (Int, Int) {
        let v = try value(name)
        if let i = v.intValue { return (i, i) }
        if let l = v.listValue, l.count == 2, let h = l[0].intValue, let w = l[1].intValue { return (h, w) }
        throw ResolvedParamsError.wrongType(name, expected: "an integer or [h, w]", got: v)
    }

    /// A list of numbers.
    public func doubles(_ name: String) throws -> [Double] {
        let v = try value(name)
        guard let l = v.listValue else { throw ResolvedParamsError.wrongType(name, expected: "a list of numbers", got: v) }
        return try l.map {
            guard let d = $0.numberValue else { throw ResolvedParamsError.wrongType(name, expected: "a list of numbers", got: v) }
            return d
        }
    }

    // Encoded as a JSON object `{name: value}` (keys are written in sorted order, but Foundation's
    // JSONEncoder only keeps an order with `.sortedKeys`, which manifests should use).
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        var v: [String: ParamValue] = [:]
        for k in c.allKeys { v[k.stringValue] = try c.decode(ParamValue.self, forKey: k) }
        self.values = v
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for k in keys { try c.encode(values[k], forKey: Key(stringValue: k)) }
    }
}

/// A method asked its parameters for something they do not hold (a programming error between
/// the catalogue and a method, never a user error: the loader validated the values).
public enum ResolvedParamsError: Error, Hashable, Sendable, CustomStringConvertible {
    case missing(String, available: [String])
    case wrongType(String, expected: String, got: ParamValue)

    public var description: String {
        switch self {
        case let .missing(name, available):
            return "parameter '\(name)' is not set (have: \(available.joined(separator: ", ")))"
        case let .wrongType(name, expected, got):
            return "parameter '\(name)' is \(got.typeName) '\(got)', expected \(expected)"
        }
    }
}
