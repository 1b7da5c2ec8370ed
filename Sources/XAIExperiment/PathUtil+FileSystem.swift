import Foundation
import XAICore

/// The path helpers that look at the file system.
extension PathUtil {
    /// An absolute, symlink-free path, for recognising the same file under two names.
    static func canonical(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
    }

    static func isDirectory(_ p: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &dir) && dir.boolValue
    }

    /// Whether `p` is a regular file (after symbolic links): a device, FIFO or socket named
    /// `cat.png` would hang whatever reads or hashes it.
    static func isFile(_ p: String) -> Bool {
        var info = stat()
        return stat(p, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
