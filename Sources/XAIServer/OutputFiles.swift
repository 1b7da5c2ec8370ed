import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files below the outputs folder for the viewer without ever leaving it: the path is
/// walked one component at a time with `openat(O_NOFOLLOW)`, so a symbolic link anywhere on the
/// way (to `/etc`, to `..`) is refused rather than followed, and the last component must be a
/// regular file no larger than `maxBytes`, checked on the open descriptor before reading.
struct OutputFiles: Sendable {
    let root: URL
    /// Largest file served (maps and galleries are far smaller).
    let maxBytes: Int

    init(root: URL, maxBytes: Int = 64 << 20) {
        self.root = root
        self.maxBytes = maxBytes
    }

    /// The bytes of `path`. Throws `ServerError.notFound` for anything missing, linked, or not a
    /// regular file (the client learns nothing about what lies outside).
    func read(_ path: ServedPath) throws -> [UInt8] {
        var dir = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw ServerError.notFound(path.description) }
        defer { close(dir) }
        for c in path.components.dropLast() {
            let next = openat(dir, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { throw ServerError.notFound(path.description) }
            close(dir)
            dir = next
        }
        let fd = openat(dir, path.components.last!, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ServerError.notFound(path.description) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw ServerError.notFound(path.description) }
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw ServerError.notFound(path.description) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return done == size ? bytes : Array(bytes[0..<done])
    }
}
