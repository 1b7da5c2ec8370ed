import XAICore

/// A position in an experiment file, model card or `--set` override (1-based line and column).
/// Overrides are reported as file `--set`, line N for the N-th override, column within it.
public struct SourceLocation: Hashable, Codable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in an experiment, printed as `FILE:LINE:COLUMN: message`.
public struct ExperimentDiagnostic: Error, Hashable, Codable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public init(_ location: SourceLocation, _ message: String) {
        self.init(file: location.file, line: location.line, column: location.column, message: message)
    }

    public var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Why an experiment could not be loaded. `invalid` carries every problem found, in file order;
/// the CLI prints one per line and exits with status 2 before anything runs.
public enum ExperimentError: Error, CustomStringConvertible, Equatable {
    case invalid([ExperimentDiagnostic])

    public var diagnostics: [ExperimentDiagnostic] {
        switch self {
        case .invalid(let d): return d
        }
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

/// Collects diagnostics while loading so that all problems are reported at once.
final class DiagnosticSink {
    private(set) var items: [ExperimentDiagnostic] = []
    /// Remarks that do not stop loading (see `Experiment.notes`).
    private(set) var notes: [ExperimentDiagnostic] = []

    func error(_ location: SourceLocation, _ message: String) {
        let d = ExperimentDiagnostic(location, message)
        if !items.contains(d) { items.append(d) }
    }

    /// An error after which the document is still complete enough to validate the rest
    /// (a duplicate key: the later occurrence counts), so that every problem comes in one pass.
    func recoverableError(_ location: SourceLocation, _ message: String) {
        error(location, message)
        recoverable += 1
    }

    /// How many of the errors are recoverable (see `recoverableError`).
    private var recoverable = 0

    /// Whether an error so far leaves nothing worth validating further (a syntax error, a
    /// missing file, a broken `extends:`).
    var hasUnrecoverable: Bool { items.count > recoverable }

    func note(_ location: SourceLocation, _ message: String) {
        let d = ExperimentDiagnostic(location, message)
        if !notes.contains(d) { notes.append(d) }
    }

    var isEmpty: Bool { items.isEmpty }

    /// The diagnostics in a stable order: by file (in order of first appearance), line, column.
    var sorted: [ExperimentDiagnostic] {
        var fileOrder: [String: Int] = [:]
        for d in items where fileOrder[d.file] == nil { fileOrder[d.file] = fileOrder.count }
        return items.enumerated().sorted { a, b in
            let fa = fileOrder[a.element.file] ?? 0, fb = fileOrder[b.element.file] ?? 0
            if fa != fb { return fa < fb }
            if a.element.line != b.element.line { return a.element.line < b.element.line }
            if a.element.column != b.element.column { return a.element.column < b.element.column }
            return a.offset < b.offset
        }.map(\.element)
    }

    func throwIfAny() throws {
        if !items.isEmpty { throw ExperimentError.invalid(sorted) }
    }
}

/// " Did you mean 'x'?" or "".
func didYouMean(_ word: String, _ candidates: [String]) -> String {
    guard let s = EditDistance.suggestion(for: word, among: candidates) else { return "" }
    return "; did you mean '\(s)'?"
}
