/// A numeric interval with optional, independently open or closed ends.
public struct NumberRange: Hashable, Sendable, CustomStringConvertible {
    public var min: Double?
    public var max: Double?
    public var minInclusive: Bool
    public var maxInclusive: Bool

    public init(min: Double? = nil, max: Double? = nil, minInclusive: Bool = true, maxInclusive: Bool = true) {
        self.min = min
        self.max = max
        self.minInclusive = minInclusive
        self.maxInclusive = maxInclusive
    }

    public static let any = NumberRange()
    /// (0, +inf)
    public static let positive = NumberRange(min: 0, minInclusive: false)
    /// [0, +inf)
    public static let nonNegative = NumberRange(min: 0)
    /// [0, 1]
    public static let unit = NumberRange(min: 0, max: 1)
    /// (0, 1)
    public static let openUnit = NumberRange(min: 0, max: 1, minInclusive: false, maxInclusive: false)
    /// [lo, hi] on integers.
    public static func ints(_ lo: Int, _ hi: Int? = nil) -> NumberRange {
        NumberRange(min: Double(lo), max: hi.map(Double.init))
    }

    public func contains(_ v: Double) -> Bool {
        guard v.isFinite else { return false }
        if let lo = min, minInclusive ? v < lo : v <= lo { return false }
        if let hi = max, maxInclusive ? v > hi : v >= hi { return false }
        return true
    }

    public var description: String {
        func fmt(_ v: Double) -> String {
            v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : v.description
        }
        switch (min, max) {
        case (nil, nil): return "any value"
        case (let lo?, nil): return minInclusive ? ">= \(fmt(lo))" : "> \(fmt(lo))"
        case (nil, let hi?): return maxInclusive ? "<= \(fmt(hi))" : "< \(fmt(hi))"
        case (let lo?, let hi?):
            return (minInclusive ? "[" : "(") + fmt(lo) + ", " + fmt(hi) + (maxInclusive ? "]" : ")")
        }
    }
}

/// The declaration of one parameter of a method or metric: its name, type, default and a
/// one-line description. The experiment loader, the CLI and the method registry all read the
/// same declarations from `MethodDescriptor.parameters` and `MetricDescriptor.parameters`.
public struct ParameterSpec: Hashable, Sendable {
    /// What values a parameter accepts.
    public enum ValueType: Hashable, Sendable {
        /// An integer in `range`.
        case int(NumberRange)
        /// A number in `range` (integers are accepted and stored as doubles).
        case double(NumberRange)
        case bool
        /// One of the given words.
        case choice([String])
        /// One of the words, or a number in `range` (stored as a double), e.g. a baseline pixel value.
        case choiceOrNumber([String], NumberRange)
        /// One of the words, a number in `range`, or a file path or glob (a string holding `/`, `*`
        /// or `?`), e.g. a baseline distribution given as a folder of background images.
        case choiceNumberOrPath([String], NumberRange)
        /// An integer, or a pair `[h, w]` of integers, each in `range`; a pair with h == w is stored as one int.
        case intOrPair(NumberRange)
        /// An integer in `range`, or one of the words (e.g. `auto`, or a class label).
        case intOrWord([String], NumberRange)
        /// An integer in `range`, or any string (a class label), e.g. activation maximisation's `class`.
        case intOrString(NumberRange)
        /// Any string.
        case string
        /// The raw value of one of the given method kinds.
        case methodKind([String])
        /// A non-empty list of numbers, each in `range` (stored as doubles).
        case numberList(NumberRange)
    }

    /// What a parameter influences: the computation (part of the cache key) or only the picture.
    public enum Role: String, Hashable, Sendable, Codable {
        case compute
        case display
    }

    public let name: String
    public let type: ValueType
    public let defaultValue: ParamValue
    public let doc: String
    public let role: Role

    public init(_ name: String, _ type: ValueType, default defaultValue: ParamValue, _ doc: String,
                role: Role = .compute) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
        self.role = role
    }

    /// The display parameters every method takes (they only affect rendering, not the map).
    public static let display: [ParameterSpec] = [DisplayParameters.colormap.spec, DisplayParameters.overlayAlpha.spec]

    /// Checks `value` against the declared type and range and returns its canonical form.
    /// Throws a `ParameterError` whose description says what was expected.
    public func normalize(_ value: ParamValue) throws -> ParamValue {
        func fail(_ expected: String) -> ParameterError {
            ParameterError(parameter: name, message: "expected \(expected), got \(value.typeName) '\(value)'")
        }
        func checkInt(_ v: ParamValue, _ r: NumberRange) throws -> Int {
            guard let i = v.intValue else { throw fail("an integer \(r)") }
            guard r.contains(Double(i)) else {
                throw ParameterError(parameter: name, message: "\(i) is out of range; expected an integer \(r)")
            }
            return i
        }
        func checkNumber(_ v: ParamValue, _ r: NumberRange) throws -> Double {
            guard let d = v.numberValue else { throw fail("a number \(r)") }
            guard r.contains(d) else {
                throw ParameterError(parameter: name, message: "\(v) is out of range; expected a number \(r)")
            }
            return d
        }
        func words(_ ws: [String]) -> String { ws.joined(separator: " | ") }

        switch type {
        case .int(let r):
            return .int(try checkInt(value, r))
        case .double(let r):
            return .double(try checkNumber(value, r))
        case .bool:
            guard case .bool = value else { throw fail("true or false") }
            return value
        case .choice(let ws):
            guard let s = value.stringValue, ws.contains(s) else { throw choiceError(value, ws, fail("one of \(words(ws))")) }
            return value
        case .choiceOrNumber(let ws, let r):
            if let s = value.stringValue {
                guard ws.contains(s) else { throw choiceError(value, ws, fail("one of \(words(ws)) or a number \(r)")) }
                return value
            }
            guard value.numberValue != nil else { throw fail("one of \(words(ws)) or a number \(r)") }
            return .double(try checkNumber(value, r))
        case .choiceNumberOrPath(let ws, let r):
            let expected = "one of \(words(ws)), a number \(r), or a folder or glob (with '/', '*' or '?')"
            if let s = value.stringValue {
                guard ws.contains(s) || s.contains(where: { "/*?".contains($0) }) else { throw choiceError(value, ws, fail(expected)) }
                return value
            }
            guard value.numberValue != nil else { throw fail(expected) }
            return .double(try checkNumber(value, r))
        case .intOrPair(let r):
            if case .list(let items) = value {
                guard items.count == 2 else { throw fail("an integer or a pair [h, w] of integers \(r)") }
                let h = try checkInt(items[0], r), w = try checkInt(items[1], r)
                return h == w ? .int(h) : .list([.int(h), .int(w)])
            }
            return .int(try checkInt(value, r))
        case .intOrWord(let ws, let r):
            if let s = value.stringValue {
                guard ws.contains(s) else { throw choiceError(value, ws, fail("an integer \(r) or one of \(words(ws))")) }
                return value
            }
            return .int(try checkInt(value, r))
        case .intOrString(let r):
            if let s = value.stringValue {
                guard !s.isEmpty else { throw fail("an integer \(r) or a non-empty name") }
                return value
            }
            return .int(try checkInt(value, r))
        case .string:
            guard case .string = value else { throw fail("a string") }
            return value
        case .methodKind(let kinds):
            guard let s = value.stringValue, kinds.contains(s) else { throw choiceError(value, kinds, fail("one of \(words(kinds))")) }
            return value
        case .numberList(let r):
            guard case .list(let items) = value, !items.isEmpty else { throw fail("a non-empty list of numbers \(r)") }
            return .list(try items.map { .double(try checkNumber($0, r)) })
        }
    }

    private func choiceError(_ value: ParamValue, _ words: [String], _ plain: ParameterError) -> ParameterError {
        guard let s = value.stringValue, let near = EditDistance.suggestion(for: s, among: words) else { return plain }
        return ParameterError(parameter: name, message: plain.message + "; did you mean '\(near)'?")
    }

    /// A readable form of the accepted values, for `xai methods` and the README.
    public var typeDescription: String {
        switch type {
        case .int(let r): return "int \(r)"
        case .double(let r): return "number \(r)"
        case .bool: return "bool"
        case .choice(let ws): return ws.joined(separator: "|")
        case .choiceOrNumber(let ws, let r): return ws.joined(separator: "|") + "|<number \(r)>"
        case .choiceNumberOrPath(let ws, let r): return ws.joined(separator: "|") + "|<number \(r)>|<folder or glob>"
        case .intOrPair(let r): return "int or [h, w], \(r)"
        case .intOrWord(let ws, let r): return "int \(r)|" + ws.joined(separator: "|")
        case .intOrString(let r): return "int \(r) or label"
        case .string: return "string"
        case .methodKind(let ks): return ks.joined(separator: "|")
        case .numberList(let r): return "list of numbers \(r)"
        }
    }
}

/// A parameter value that does not fit its declaration.
public struct ParameterError: Error, Hashable, Sendable, CustomStringConvertible {
    public let parameter: String
    public let message: String
    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }
    public var description: String { "\(parameter): \(message)" }
}

/// The display parameters, for the few methods that draw a picture themselves.
public enum DisplayParameters {
    public static let colormap = Param<String>(
        "colormap", .choice(Colormaps.all), default: "jet",
        "colour map of the overlay; signed maps always use a diverging map centred on 0", role: .display)
    public static let overlayAlpha = Param<Double>(
        "overlay_alpha", default: 0.5, range: .unit, "opacity of the heatmap over the image", role: .display)
}

/// Names of the colour maps an overlay may use (implemented by XAIImaging).
public enum Colormaps {
    public static let sequential = ["jet", "viridis", "inferno", "magma", "gray"]
    public static let diverging = ["coolwarm", "seismic", "bwr"]
    public static let all = sequential + diverging
}
