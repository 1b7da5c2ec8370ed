import Foundation
import XAIManifest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps `xai gc` from removing cache entries a run is using (issue 14, item 9).
///
/// Every run holds a shared `flock` on `<cache>/use.lock` from before it looks entries up until
/// its manifest is written; gc holds it exclusively while it removes entries. Runs share the
/// cache freely; gc refuses while any run holds it, and a run that starts during a gc waits for
/// it (gc is short). The kernel drops the lock of a killed process, so nothing is left to clean.
public final class CacheUseLock {
    public enum Mode: Sendable {
        /// A run: many at once.
        case shared
        /// gc: alone.
        case exclusive
    }

    /// The lock file.
    public let lockFile: URL
    private var fd: Int32

    /// The lock file's name inside the cache folder (not a shard folder, so never an entry).
    public static let fileName = "use.lock"

    /// Takes the lock of `cache` in `mode`: a shared lock waits for a gc to finish; an exclusive
    /// one does not wait.
    /// - Throws: `PlannerError.cacheInUse` when an exclusive lock is refused because runs hold
    ///   it; `OutputError.symbolicLink` when the lock file is a link.
    public init(_ cache: CacheStore, mode: Mode) throws {
        lockFile = cache.root.appendingPathComponent(Self.fileName)
        let fd = open(lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP { throw OutputError.symbolicLink(path: lockFile.path) }
            throw OutputError.io(path: lockFile.path, operation: "open cache lock", detail: String(cString: strerror(errno)))
        }
        var result: Int32
        repeat {
            result = flock(fd, mode == .shared ? LOCK_SH : LOCK_EX | LOCK_NB)
        } while result != 0 && errno == EINTR
        if result != 0 {
            let err = errno
            close(fd)
            if err == EWOULDBLOCK { throw PlannerError.cacheInUse(cache: cache.root.path) }
            throw OutputError.io(path: lockFile.path, operation: "lock", detail: String(cString: strerror(err)))
        }
        self.fd = fd
    }

    deinit { unlock() }

    /// Releases the lock (also done on deinit and, by the kernel, on process exit).
    public func unlock() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}
