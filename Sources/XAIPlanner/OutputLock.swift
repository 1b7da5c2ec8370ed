import Foundation
import XAIManifest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on an output folder (`Outputs/<name>/.lock`) so two runs never write
/// the same folder.
///
/// The lock is an advisory `flock` on the lock file, which the kernel drops when the holding
/// process exits or is killed; a lock file left by a dead run is therefore taken over without
/// any clean-up. The holder's pid is written into the file so a refused run can say who holds it.
public final class OutputLock {
    /// The locked folder.
    public let folder: URL
    /// The lock file inside `folder`.
    public let lockFile: URL
    private var fd: Int32

    /// Takes the lock, creating `folder` when needed. Neither the folder nor the lock file may be a
    /// symbolic link: the lock file is truncated, which must never reach a file elsewhere.
    /// - Parameter root: the output root `folder` lies in (default: its parent); the folders
    ///   between them are checked as `OutputTree` does.
    /// - Throws: `PlannerError.locked` when another open lock (in this or another process) holds
    ///   it; `OutputError.symbolicLink` for a link.
    public init(folder: URL, below root: URL? = nil) throws {
        self.folder = folder
        self.lockFile = folder.appendingPathComponent(".lock")
        try OutputTree(root: root ?? folder.deletingLastPathComponent()).makeFolder(folder)
        let fd = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP { throw OutputError.symbolicLink(path: lockFile.path) }
            throw OutputError.io(path: lockFile.path, operation: "open lock file", detail: String(cString: strerror(errno)))
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            let holder = Self.readPID(fd: fd)
            close(fd)
            if err == EWOULDBLOCK {
                throw PlannerError.locked(folder: folder.path, pid: holder)
            }
            throw OutputError.io(path: lockFile.path, operation: "lock", detail: String(cString: strerror(err)))
        }
        self.fd = fd
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { unlock() }

    /// Releases the lock (also done on deinit and, by the kernel, on process exit).
    public func unlock() {
        guard fd >= 0 else { return }
        // Truncate first so a reader never sees the pid of a process that no longer holds it.
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { fd >= 0 }

    private static func readPID(fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
        guard n > 0 else { return nil }
        let s = String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(s)
    }
}
