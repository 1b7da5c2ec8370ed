import Foundation

/// Errors reading or writing result files: the manifest, `.npy` arrays, atomically written files
/// and the cache's entries. Each names the file and what to do about it.
public enum OutputError: Error, CustomStringConvertible, Equatable {
    /// A file system operation failed.
    case io(path: String, operation: String, detail: String)
    /// A `.npy` file could not be read or written.
    case npy(path: String, detail: String)
    /// A file does not have the expected contents.
    case corrupt(path: String, detail: String)
    /// A value cannot be written into an output (e.g. a non-finite number in JSON).
    case invalidValue(context: String, detail: String)
    /// A path below `Outputs/` that xai would write through is a symbolic link.
    case symbolicLink(path: String)
    /// A path below `Outputs/` that xai needs as a folder is something else (a file, a device).
    case notAFolder(path: String)

    public var description: String {
        switch self {
        case let .io(path, op, detail):
            return "\(path): cannot \(op): \(detail)"
        case let .npy(path, detail):
            return "\(path): invalid .npy file: \(detail)"
        case let .corrupt(path, detail):
            return "\(path): \(detail); delete the file (it is rebuilt on the next run)"
        case let .invalidValue(context, detail):
            return "\(context): \(detail)"
        case let .symbolicLink(path):
            return "\(path) is a symbolic link; xai writes only real folders under Outputs/ (remove the link)"
        case let .notAFolder(path):
            return "\(path) is not a folder; xai needs a real folder there (move the file away)"
        }
    }
}
