import Foundation
import XAICore
import Yams

/// A YAML document tree in which every node remembers the file, line and column it came from,
/// so that values merged from `extends:` bases and `--set` overrides are reported where they
/// were written.
struct YAMLNode {
    enum Value {
        /// A scalar's text and whether it was written plain (unquoted; plain text is typed:
        /// numbers, booleans, null).
        case scalar(String, plain: Bool)
        case mapping([Entry])
        case sequence([YAMLNode])
    }

    struct Entry {
        var key: String
        var keyLocation: SourceLocation
        var value: YAMLNode
    }

    var value: Value
    var location: SourceLocation

    // MARK: reading

    /// Parses `text` (the contents of `file`). Syntax errors are reported to `sink`; returns nil
    /// then, or for an empty document. A duplicate key is reported too, but does not end the
    /// parse: its earlier occurrence is set aside and the document read again (the later one
    /// counts), so that every other problem of the file is still found in the same pass.
    static func parse(_ text: String, file: String, sink: DiagnosticSink) -> YAMLNode? {
        var renamed = DuplicateKeys(text: text)
        while true {
            do {
                let parser = try Parser(yaml: renamed.text, resolver: .basic)
                guard let root = try parser.nextRoot() else { return nil }
                if let second = try parser.nextRoot() {
                    let line = second.mark?.line ?? 1
                    throw ConversionError(location: SourceLocation(file: file, line: line, column: 1),
                                          message: "a second YAML document starts here (after `---`); the file must hold "
                                          + "one document: remove the extra `---` line or split the file")
                }
                var budget = 200_000  // guards against alias expansion ("billion laughs")
                return try convert(root, file: file, budget: &budget, renamed: renamed)
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
                let (line, column) = renamed.original(line: context.mark.line, column: context.mark.column)
                sink.recoverableError(SourceLocation(file: file, line: line, column: column),
                                      "duplicate key \(keys) in the same mapping; each key may appear once")
                guard renamed.setAside(line: context.mark.line, column: context.mark.column) else { return nil }
            } catch let e as YamlError {
                report(e, file: file, text: text, sink: sink)
                return nil
            } catch let e as ConversionError {
                sink.error(e.location, e.message)
                return nil
            } catch {
                sink.error(SourceLocation(file: file, line: 1, column: 1), "cannot parse YAML: \(error)")
                return nil
            }
        }
    }

    private struct ConversionError: Error {
        let location: SourceLocation
        let message: String
    }

    private static func convert(_ node: Node, file: String, budget: inout Int, renamed: DuplicateKeys) throws -> YAMLNode {
        budget -= 1
        func at(_ mark: Mark?, _ fallback: SourceLocation? = nil) -> SourceLocation {
            guard let mark else { return fallback ?? SourceLocation(file: file, line: 1, column: 1) }
            let (line, column) = renamed.original(line: mark.line, column: mark.column)
            return SourceLocation(file: file, line: line, column: column)
        }
        let loc = at(node.mark)
        guard budget > 0 else { throw ConversionError(location: loc, message: "document too large (more than 200000 nodes after expanding aliases)") }
        switch node {
        case .scalar(let s):
            let plain = s.style == .plain || s.style == .any
            // An explicit `!!str` tag makes a plain scalar a string.
            let explicitString = s.tag.description == "tag:yaml.org,2002:str"
            return YAMLNode(value: .scalar(s.string, plain: plain && !explicitString), location: loc)
        case .mapping(let m):
            var entries: [Entry] = []
            for (k, v) in m {
                let kloc = at(k.mark, loc)
                guard case .scalar(let ks) = k else {
                    throw ConversionError(location: kloc, message: "mapping keys must be plain words")
                }
                if renamed.isSetAside(ks.string) { continue }
                entries.append(Entry(key: ks.string, keyLocation: kloc, value: try convert(v, file: file, budget: &budget, renamed: renamed)))
            }
            return YAMLNode(value: .mapping(entries), location: loc)
        case .sequence(let s):
            return YAMLNode(value: .sequence(try s.map { try convert($0, file: file, budget: &budget, renamed: renamed) }), location: loc)
        case .alias:
            throw ConversionError(location: loc, message: "unresolved YAML alias")
        }
    }

    private static func report(_ e: YamlError, file: String, text: String, sink: DiagnosticSink) {
        func loc(_ m: Mark) -> SourceLocation { SourceLocation(file: file, line: m.line, column: m.column) }
        switch e {
        case let .scanner(_, _, mark, _) where tabColumn(in: text, line: mark.line) != nil:
            // libyaml's words for a tab ("found character that cannot start any token") do not
            // name it, and a tab looks like spaces in most editors.
            let column = tabColumn(in: text, line: mark.line)!
            sink.error(SourceLocation(file: file, line: mark.line, column: column),
                       "a tab character: YAML indents with spaces only; replace the tab with spaces")
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let ctx = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            sink.error(loc(mark), "YAML syntax error: \(problem)\(ctx)")
        case let .reader(problem, offset, _, _):
            sink.error(SourceLocation(file: file, line: 1, column: 1),
                       "cannot read the file as UTF-8 text: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            sink.error(SourceLocation(file: file, line: 1, column: 1), "cannot parse YAML: \(e)")
        }
    }

    /// The 1-based column of the first tab in the indentation of `line` (1-based) of `text`, or
    /// of a tab right after a `key:` there, where YAML does not allow one either.
    private static func tabColumn(in text: String, line: Int) -> Int? {
        var current = 1
        for row in text.split(separator: "\n", omittingEmptySubsequences: false) {
            defer { current += 1 }
            guard current == line else { continue }
            let chars = Array(row)
            let indent = chars.prefix { $0 == " " || $0 == "\t" }
            if let i = indent.firstIndex(of: "\t") { return i + 1 }
            if let colon = chars.firstIndex(of: ":"), colon + 1 < chars.count, chars[colon + 1] == "\t" { return colon + 2 }
            return nil
        }
        return nil
    }

    // MARK: access

    var isNull: Bool {
        if case .scalar(let s, let plain) = value, plain, s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL" {
            return true
        }
        return false
    }

    var entries: [Entry]? {
        if case .mapping(let e) = value { return e }
        return nil
    }

    var items: [YAMLNode]? {
        if case .sequence(let s) = value { return s }
        return nil
    }

    /// The scalar text, whether plain or quoted (nil for null, mappings and sequences).
    var text: String? {
        if case .scalar(let s, _) = value, !isNull { return s }
        return nil
    }

    subscript(key: String) -> YAMLNode? {
        entries?.first { $0.key == key }?.value
    }

    func entry(_ key: String) -> Entry? {
        entries?.first { $0.key == key }
    }

    /// A YAML 1.2 core-schema reading of a scalar or a sequence of scalars: plain `true`/`false`
    /// are booleans, plain decimal numbers are ints or doubles, anything else (quoted text,
    /// `yes`, `on`, ...) is a string. Nil for null and mappings.
    var paramValue: ParamValue? {
        switch value {
        case .scalar(let s, let plain):
            if isNull { return nil }
            guard plain else { return .string(s) }
            return YAMLNode.typedScalar(s)
        case .sequence(let items):
            var out: [ParamValue] = []
            for i in items {
                guard let v = i.paramValue else { return nil }
                out.append(v)
            }
            return .list(out)
        case .mapping:
            return nil
        }
    }

    static func typedScalar(_ s: String) -> ParamValue {
        switch s {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if isInteger(s), let i = Int(s) { return .int(i) }
        if isDecimal(s), let d = Double(s) { return .double(d) }
        return .string(s)
    }

    private static func isInteger(_ s: String) -> Bool {
        var u = Substring(s)
        if u.first == "-" || u.first == "+" { u = u.dropFirst() }
        return !u.isEmpty && u.allSatisfy { $0.isASCII && $0.isNumber }
    }

    private static func isDecimal(_ s: String) -> Bool {
        var u = Substring(s)
        if u.first == "-" || u.first == "+" { u = u.dropFirst() }
        var mantissa = u, exponent: Substring = ""
        if let e = u.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = u[..<e]
            exponent = u[u.index(after: e)...]
            if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, exponent.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.contains(where: { !$0.isEmpty }) else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// A scalar quoted for a message: its first line, at most 40 characters, with the length
    /// when cut, so that a file that is not YAML (`extends: /etc/passwd`) is not printed whole.
    static func excerpt(_ text: String) -> String {
        let firstLine = text.prefix { $0 != "\n" }
        guard firstLine.count > 40 || firstLine.count < text.count else { return "'\(text)'" }
        return "text starting '\(firstLine.prefix(40))...' (\(text.count) characters)"
    }

    /// What kind of node this is, for "expected X, got Y" messages.
    var kindDescription: String {
        switch value {
        case .scalar: return isNull ? "nothing (null)" : Self.excerpt(text ?? "")
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}
