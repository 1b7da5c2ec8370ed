import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folders xai writes below an output root (`Outputs/`), made and entered without ever
/// following a symbolic link.
///
/// Every folder between the root (exclusive: `Outputs/` itself may be a link to another disk)
/// and the one written into is checked with `lstat`; a link or a non-folder there is refused
/// instead of written through, so a link planted in `Outputs/<name>/maps` cannot redirect output
/// elsewhere. Final file names need no check: files are renamed into place, and rename(2)
/// replaces a link rather than following it.
public struct OutputTree: Sendable {
    /// The output root, e.g. `Outputs/`.
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// Creates `folder` and the missing folders between the root and it (and the root itself when
    /// missing, following links above it as any path would).
    /// - Throws: `OutputError.symbolicLink` or `.notAFolder` naming the first offending path;
    ///   `OutputError.io` when `folder` is not below the root or a folder cannot be made.
    public func makeFolder(_ folder: URL) throws {
        let below = try components(of: folder)
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            throw OutputError.io(path: root.path, operation: "create folder", error: error)
        }
        var path = root.path
        for component in below {
            path += (path.hasSuffix("/") ? "" : "/") + component
            try Self.makeRealFolder(path)
        }
    }

    /// The path components of `url` below the root.
    func components(of url: URL) throws -> [String] {
        let base = root.pathComponents, full = url.standardizedFileURL.pathComponents
        guard full.count >= base.count, Array(full.prefix(base.count)) == base else {
            throw OutputError.io(path: url.path, operation: "write", detail: "it is outside \(root.path)")
        }
        return Array(full.dropFirst(base.count))
    }

    /// Makes sure `path` is a real folder, creating it when absent (a concurrent creation is fine).
    static func makeRealFolder(_ path: String) throws {
        for _ in 0..<2 {
            switch try kind(of: path) {
            case .folder: return
            case .link: throw OutputError.symbolicLink(path: path)
            case .regularFile, .other: throw OutputError.notAFolder(path: path)
            case .missing:
                if mkdir(path, 0o755) == 0 { return }
                guard errno == EEXIST else {
                    throw OutputError.io(path: path, operation: "create folder", detail: String(cString: strerror(errno)))
                }
            }
        }
        throw OutputError.notAFolder(path: path)
    }

    /// What is at a path, without following a final symbolic link.
    public enum Kind: Equatable, Sendable {
        case missing, folder, regularFile, link, other
    }

    /// What `lstat` finds at `path`.
    public static func kind(of path: String) throws -> Kind {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return .missing }
            throw OutputError.io(path: path, operation: "inspect", detail: String(cString: strerror(errno)))
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFREG: return .regularFile
        case S_IFLNK: return .link
        default: return .other
        }
    }
}
