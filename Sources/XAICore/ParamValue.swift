/// One parameter value of a method or metric, after validation.
///
/// Values are normalised by `ParameterSpec.normalize(_:)` so that the same setting always has
/// the same representation (a `double` parameter written as `1` is stored as `.double(1.0)`,
/// an occlusion window `[16, 16]` as `.int(16)`), which keeps cache keys and task ids stable.
public enum ParamValue: Hashable, Codable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ParamValue])

    /// Canonical text: `16`, `0.25`, `true`, `gray`, `[16,32]`. Doubles use Swift's shortest
    /// round-trip form (`1.0`, `1e-05`), so the text is deterministic across runs and machines.
    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return v.description
        case .bool(let v): return v ? "true" : "false"
        case .string(let v): return v
        case .list(let vs): return "[" + vs.map(\.description).joined(separator: ",") + "]"
        }
    }

    /// The value as a number (ints are widened), or nil.
    public var numberValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    /// The value as an integer (doubles with an exact integer value are accepted), or nil.
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .double(let v):
            guard v.isFinite, v.rounded() == v, abs(v) < 9.0e15 else { return nil }
            return Int(v)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var listValue: [ParamValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// A short name of the value's type for error messages.
    public var typeName: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .string: return "a string"
        case .list: return "a list"
        }
    }

    // JSON form: the natural JSON value (number, boolean, string, array). A double with an
    // integral value decodes back as `.int`; `ResolvedParams` accessors accept either.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let l = try? c.decode([ParamValue].self) { self = .list(l); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number, boolean, string or list")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .list(let v): try c.encode(v)
        }
    }
}
