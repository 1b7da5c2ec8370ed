import Foundation

/// Errors of `xai diff`, each naming what is wrong and what to do.
public enum DiffError: Error, CustomStringConvertible, Equatable {
    /// A result file of a run is no longer in the cache.
    case missingEntry(run: String, result: String, key: String)
    /// An option is out of range.
    case invalidOption(name: String, detail: String)

    public var description: String {
        switch self {
        case let .missingEntry(run, result, key):
            return "run \(run): the cache no longer holds \(result) (entry \(key.prefix(12))); "
                + "`xai gc` removed it: rerun the experiment, and pin runs (`xai runs pin ID`) to keep them"
        case let .invalidOption(name, detail):
            return "\(name): \(detail)"
        }
    }
}
