/// A name that becomes one component of a file path: an experiment name (`Outputs/<name>`),
/// a model name, a method instance name, an image id, a sweep point. Every such name goes
/// through this type, so nothing in a file can make xai write outside its output folder.
///
/// Valid: 1 to `maxBytes` bytes of ASCII letters, digits, `.`, `_`, `+` and `-`, starting with
/// a letter, a digit or `_`. That excludes `/`, `\`, NUL and every control character, `.` and `..`,
/// hidden names (leading `.`) and names that read as command-line options (leading `-`).
public struct PathComponent: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The longest accepted name, in bytes (file systems allow 255; names get suffixes such as
    /// `.png`, `-2` or `@window=8` appended).
    public static let maxBytes = 100

    public let string: String

    /// `name`, validated.
    public init(_ name: String) throws {
        if let problem = Self.problem(name) { throw PathComponentError(name: name, problem: problem) }
        string = name
    }

    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(string)
    }

    public var description: String { string }

    /// A valid component made from arbitrary text (an image's file stem): characters outside
    /// the allowed set become `_`, a name starting otherwise than with a letter or digit gets a
    /// `_` before it, and the result is cut to `maxBytes - reserve` bytes, leaving room for a
    /// suffix such as `-2`.
    public static func sanitized(_ text: String, reserve: Int = 0) -> PathComponent {
        var name = String(String.UnicodeScalarView(text.unicodeScalars.map { isAllowed($0) ? $0 : "_" }))
        if !(name.unicodeScalars.first.map(isAlphanumeric) ?? false) { name = "_" + name }
        return PathComponent(unchecked: String(name.prefix(max(1, maxBytes - max(0, reserve)))))
    }

    private init(unchecked: String) { string = unchecked }

    /// Why `name` is not a valid component, or nil when it is.
    public static func problem(_ name: String) -> PathComponentError.Problem? {
        guard let first = name.unicodeScalars.first else { return .empty }
        if name == "." || name == ".." { return .dotName }
        let bytes = name.utf8.count
        if bytes > maxBytes { return .tooLong(bytes: bytes) }
        for (offset, c) in name.unicodeScalars.enumerated() where !isAllowed(c) {
            return .forbiddenCharacter(c, offset: offset)
        }
        if !isAlphanumeric(first) && first != "_" { return .badFirstCharacter(first) }
        return nil
    }

    private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    private static func isAllowed(_ c: Unicode.Scalar) -> Bool {
        isAlphanumeric(c) || c == "." || c == "_" || c == "+" || c == "-"
    }
}

/// A name refused by `PathComponent`, saying what is wrong and what is allowed.
public struct PathComponentError: Error, Equatable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        case empty
        case dotName
        case tooLong(bytes: Int)
        case forbiddenCharacter(Unicode.Scalar, offset: Int)
        case badFirstCharacter(Unicode.Scalar)
    }

    public let name: String
    public let problem: Problem

    public init(name: String, problem: Problem) {
        self.name = name
        self.problem = problem
    }

    /// The rule, for messages.
    public static let rule = "1 to \(PathComponent.maxBytes) bytes of letters, digits, '.', '_', '+' and '-', "
        + "starting with a letter, digit or '_'"

    public var description: String {
        let shown = TerminalText.sanitize(name.count > 60 ? String(name.prefix(60)) + "..." : name)
        let what: String
        switch problem {
        case .empty: what = "it is empty"
        case .dotName: what = "'\(name)' names a directory, not a file"
        case .tooLong(let bytes): what = "'\(shown)' has \(bytes) bytes, over the limit of \(PathComponent.maxBytes)"
        case .forbiddenCharacter(let c, let offset):
            what = "'\(shown)' contains '\(TerminalText.sanitize(String(Character(c))))' at character \(offset + 1)"
        case .badFirstCharacter(let c):
            what = "'\(shown)' starts with '\(TerminalText.sanitize(String(Character(c))))'"
        }
        return "\(what); a name that becomes a file name must be \(Self.rule)"
    }
}
