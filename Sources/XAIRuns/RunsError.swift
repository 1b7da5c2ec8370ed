import Foundation

/// Errors of the run history: the database, run references and the git probe. Each says what
/// is wrong and what to do.
public enum RunsError: Error, CustomStringConvertible, Equatable {
    /// The database could not be opened, migrated, read or written.
    case database(path: String, operation: String, detail: String)
    /// The outputs folder has no run history yet.
    case noHistory(path: String)
    /// No run matches a reference given on the command line.
    case unknownRun(reference: String, hint: String)
    /// A reference names several runs (an id prefix shared by more than one run).
    case ambiguousRun(reference: String, candidates: [String])
    /// A stored run's manifest is missing, altered or does not decode.
    case corruptRecord(id: String, detail: String)

    public var description: String {
        switch self {
        case let .database(path, operation, detail):
            return "\(path): cannot \(operation) the run history: \(detail)"
        case let .noHistory(path):
            return "\(path) does not exist: no run has been recorded there yet (`xai run FILE` records one)"
        case let .unknownRun(reference, hint):
            return "no run matches '\(reference)': \(hint)"
        case let .ambiguousRun(reference, candidates):
            return "'\(reference)' matches several runs (\(candidates.joined(separator: ", "))); give more of the id"
        case let .corruptRecord(id, detail):
            return "run \(id): its stored manifest is unreadable (\(detail)); pick another run"
        }
    }
}
