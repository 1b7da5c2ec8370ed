/// A Swift type a parameter's validated value can be read as.
public protocol ParamReadable: Sendable {
    /// The value from its normalised form, or nil when it holds something else.
    init?(param: ParamValue)
    /// The normalised form of the value (for defaults).
    var paramValue: ParamValue { get }
}

extension Int: ParamReadable {
    public init?(param: ParamValue) {
        guard let i = param.intValue else { return nil }
        self = i
    }
    public var paramValue: ParamValue { .int(self) }
}

extension Double: ParamReadable {
    /// Integers are widened.
    public init?(param: ParamValue) {
        guard let d = param.numberValue else { return nil }
        self = d
    }
    public var paramValue: ParamValue { .double(self) }
}

extension Bool: ParamReadable {
    public init?(param: ParamValue) {
        guard let b = param.boolValue else { return nil }
        self = b
    }
    public var paramValue: ParamValue { .bool(self) }
}

extension String: ParamReadable {
    public init?(param: ParamValue) {
        guard let s = param.stringValue else { return nil }
        self = s
    }
    public var paramValue: ParamValue { .string(self) }
}

/// The value as validated, for parameters that take a word or a number (a baseline, a fill).
extension ParamValue: ParamReadable {
    public init?(param: ParamValue) { self = param }
    public var paramValue: ParamValue { self }
}

extension Array: ParamReadable where Element == Double {
    public init?(param: ParamValue) {
        guard let items = param.listValue else { return nil }
        let numbers = items.compactMap(\.numberValue)
        guard numbers.count == items.count else { return nil }
        self = numbers
    }
    public var paramValue: ParamValue { .list(map { .double($0) }) }
}

extension MethodKind: ParamReadable {
    public init?(param: ParamValue) {
        guard let s = param.stringValue else { return nil }
        self.init(s)
    }
    public var paramValue: ParamValue { .string(rawValue) }
}

/// An `intOrPair` value: `16` is 16 x 16, `[8, 16]` is 8 high and 16 wide.
public struct IntPair: ParamReadable, Hashable {
    public var h: Int
    public var w: Int

    public init(h: Int, w: Int) {
        self.h = h
        self.w = w
    }

    public init?(param: ParamValue) {
        if let i = param.intValue {
            self.init(h: i, w: i)
        } else if let l = param.listValue, l.count == 2, let h = l[0].intValue, let w = l[1].intValue {
            self.init(h: h, w: w)
        } else {
            return nil
        }
    }

    public var paramValue: ParamValue { h == w ? .int(h) : .list([.int(h), .int(w)]) }
}

/// A word parameter read as an enum: the accepted words are the raw values of the cases.
public protocol ParamChoice: ParamReadable, RawRepresentable, CaseIterable where RawValue == String {}

extension ParamChoice {
    public init?(param: ParamValue) {
        guard let s = param.stringValue else { return nil }
        self.init(rawValue: s)
    }
    public var paramValue: ParamValue { .string(rawValue) }
}

/// Anything that declares one parameter (a typed `Param` or a plain `ParameterSpec`), so a
/// descriptor can list both.
public protocol ParameterDeclaration: Sendable {
    var spec: ParameterSpec { get }
}

extension ParameterSpec: ParameterDeclaration {
    public var spec: ParameterSpec { self }
}

/// One parameter, declared once with its name, type, default and help, and read back with the
/// same value: `static let samples = Param<Int>("samples", default: 1000, range: .ints(1, 1_000_000), "...")`
/// in a descriptor, `try reader[Self.samples]` in the implementation.
public struct Param<Value: ParamReadable>: ParameterDeclaration {
    public let spec: ParameterSpec
    public var name: String { spec.name }

    /// A parameter of any declared type whose default is `defaultValue`.
    public init(_ name: String, _ type: ParameterSpec.ValueType, default defaultValue: Value, _ doc: String,
                role: ParameterSpec.Role = .compute) {
        spec = ParameterSpec(name, type, default: defaultValue.paramValue, doc, role: role)
    }

    /// The value in `params`, or nil when it is missing or of another type.
    public func value(in params: ResolvedParams) -> Value? {
        params[name].flatMap(Value.init(param:))
    }
}

extension Param where Value == Int {
    /// An integer in `range`.
    public init(_ name: String, default d: Int, range: NumberRange, _ doc: String) {
        self.init(name, .int(range), default: d, doc)
    }
}

extension Param where Value == Double {
    /// A number in `range`.
    public init(_ name: String, default d: Double, range: NumberRange, _ doc: String,
                role: ParameterSpec.Role = .compute) {
        self.init(name, .double(range), default: d, doc, role: role)
    }
}

extension Param where Value == Bool {
    public init(_ name: String, default d: Bool, _ doc: String) {
        self.init(name, .bool, default: d, doc)
    }
}

extension Param where Value == String {
    /// Any string.
    public init(_ name: String, default d: String, _ doc: String) {
        self.init(name, .string, default: d, doc)
    }
}

extension Param where Value: ParamChoice {
    /// One of `choices` (all cases unless given), in that order.
    public init(_ name: String, default d: Value, choices: [Value] = Array(Value.allCases), _ doc: String) {
        self.init(name, .choice(choices.map(\.rawValue)), default: d, doc)
    }
}
