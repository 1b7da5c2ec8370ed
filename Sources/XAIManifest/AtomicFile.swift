import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers only ever see the old or the complete new contents.
///
/// The data goes to a temporary file in the destination's folder (same file system), is
/// flushed, and is then renamed over the destination; rename(2) replaces atomically.
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating the parent folder when needed.
    /// - Parameter sync: also fsync the file before renaming (survives power loss, not only crashes).
    public static func write(_ data: Data, to url: URL, sync: Bool = false) throws {
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw OutputError.io(path: dir.path, operation: "create folder", error: error)
        }
        let temp = dir.appendingPathComponent(temporaryName(for: url.lastPathComponent))
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError.io(path: temp.path, operation: "create", detail: String(cString: strerror(errno)))
        }
        var ok = false
        defer {
            if !ok { unlink(temp.path) }
        }
        do {
            defer { close(fd) }
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc_write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw OutputError.io(path: temp.path, operation: "write", detail: String(cString: strerror(errno)))
                    }
                    offset += n
                }
            }
            if sync, fsync(fd) != 0 {
                throw OutputError.io(path: temp.path, operation: "fsync", detail: String(cString: strerror(errno)))
            }
        }
        guard rename(temp.path, url.path) == 0 else {
            throw OutputError.io(path: url.path, operation: "rename into place", detail: String(cString: strerror(errno)))
        }
        ok = true
    }

    /// Writes `string` as UTF-8 to `url` atomically.
    public static func write(_ string: String, to url: URL, sync: Bool = false) throws {
        try write(Data(string.utf8), to: url, sync: sync)
    }

    /// A unique hidden name next to `name`: `.name.tmp-<pid>-<random>`. The pid lets cleanup
    /// tell leftovers of dead runs from files a live run is still writing.
    public static func temporaryName(for name: String) -> String {
        ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buf, count)
    #else
    return Darwin.write(fd, buf, count)
    #endif
}
