import XAICore

/// Errors raised while preparing or running a graph. Each names the node and file involved.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case unsupportedOp(op: String, node: String, file: String)
    case shapeMismatch(op: String, node: String, detail: String)
    case unknownTensor(name: String, nearMatches: [String])
    case ambiguousTensor(prefix: String, matches: [String])
    case badInput(detail: String)
    case notDifferentiable(tensor: String, detail: String)
    /// A backward rule (`rule`, e.g. DeepLIFT's reveal-cancel) has no definition for a node.
    case ruleUndefined(rule: String, op: String, node: String, detail: String)

    public var description: String {
        switch self {
        case let .unsupportedOp(op, node, file):
            return "\(file): unsupported operator \(op) in node '\(node)'"
        case let .shapeMismatch(op, node, detail):
            return "node '\(node)' (\(op)): \(detail)"
        case let .unknownTensor(name, near):
            let hint = near.isEmpty ? "run `xai layers` to list the tensors" : "did you mean: \(near.joined(separator: ", "))?"
            return "no tensor named '\(name)'; \(hint)"
        case let .ambiguousTensor(prefix, matches):
            return "'\(prefix)' matches several tensors: \(matches.prefix(8).joined(separator: ", "))\(matches.count > 8 ? ", ..." : ""); give the full name"
        case let .badInput(detail):
            return detail
        case let .notDifferentiable(tensor, detail):
            return "cannot differentiate with respect to '\(tensor)': \(detail)"
        case let .ruleUndefined(rule, op, node, detail):
            return "\(rule) is not defined for node '\(node)' (\(op)): \(detail)"
        }
    }
}
