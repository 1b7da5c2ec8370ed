import Foundation

/// Reads files that come from users (images, masks, labels, experiment files, models), which
/// are untrusted: only a regular file is read (a FIFO, `/dev/zero`, `/dev/urandom` or a socket
/// would block or never end), and its size is checked against a limit before a byte is read or
/// a buffer allocated.
public enum RegularFile {
    /// The whole file at `path`, at most `maxBytes` long.
    ///
    /// The file is opened non-blocking (opening a FIFO with no writer would otherwise wait for
    /// one) and then checked with `fstat` on the open descriptor, so a symbolic link to a device
    /// is refused like the device itself and nothing can be swapped in between check and read.
    /// With `followLinks: false` a symbolic link is refused too.
    public static func read(_ path: String, maxBytes: Int, followLinks: Bool = true) throws -> [UInt8] {
        let fd = try open(path, followLinks: followLinks)
        defer { close(fd) }
        let size = try checkedSize(fd, path: path, maxBytes: maxBytes)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw RegularFileError.unreadable(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }  // The file shrank while being read: return what is there.
            done += n
        }
        return done == size ? bytes : Array(bytes[0..<done])
    }

    /// The size in bytes of the regular file at `path`, refusing other kinds of file and files
    /// over `maxBytes`; for callers that map the file themselves. With `followLinks: false` a
    /// symbolic link is refused too (files a model names beside itself must not lead elsewhere).
    public static func size(_ path: String, maxBytes: Int, followLinks: Bool = true) throws -> Int {
        let fd = try open(path, followLinks: followLinks)
        defer { close(fd) }
        return try checkedSize(fd, path: path, maxBytes: maxBytes)
    }

    /// The regular file at `path`, opened for reading (refused like `read` refuses it), and its
    /// size when opened: for callers that stream it and must stop at that size, so that a file
    /// growing while it is read cannot keep them reading.
    public static func openForReading(_ path: String, maxBytes: Int) throws -> (handle: FileHandle, size: Int) {
        let fd = try open(path)
        do {
            let size = try checkedSize(fd, path: path, maxBytes: maxBytes)
            return (FileHandle(fileDescriptor: fd, closeOnDealloc: true), size)
        } catch {
            close(fd)
            throw error
        }
    }

    private static func open(_ path: String, followLinks: Bool = true) throws -> Int32 {
        let fd = Foundation.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            if errno == ELOOP && !followLinks {
                throw RegularFileError.unreadable(path: path, reason: "it is a symbolic link, which is not followed here")
            }
            throw failure(path, errno)
        }
        return fd
    }

    /// Why `path` is not a regular file (after symbolic links), or nil when it is one: for
    /// validation before anything is read, so that `/dev/zero` named as a model is reported as a
    /// device, not as missing. Reading still goes through `read`, which checks the open file.
    public static func problem(at path: String) -> RegularFileError? {
        var info = stat()
        guard stat(path, &info) == 0 else { return failure(path, errno) }
        let type = info.st_mode & S_IFMT
        return type == S_IFREG ? nil : .unreadable(path: path, reason: describe(type))
    }

    /// The error for a failed `open` or `stat` with `code` (errno).
    private static func failure(_ path: String, _ code: Int32) -> RegularFileError {
        var link = stat()
        if code == ENOENT && lstat(path, &link) == 0 {
            return .unreadable(path: path, reason: "it is a symbolic link to a missing file")
        }
        if code == ENOENT || code == ENOTDIR { return .notFound(path: path) }
        return .unreadable(path: path, reason: String(cString: strerror(code)))
    }

    private static func checkedSize(_ fd: Int32, path: String, maxBytes: Int) throws -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw RegularFileError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else { throw RegularFileError.unreadable(path: path, reason: describe(type)) }
        let size = Int(info.st_size)
        guard size <= maxBytes else { throw RegularFileError.tooLarge(path: path, size: size, limit: maxBytes) }
        return size
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "it is a directory"
        case S_IFIFO: return "it is a FIFO (named pipe), not a regular file"
        case S_IFCHR: return "it is a character device such as /dev/zero, not a regular file"
        case S_IFBLK: return "it is a block device, not a regular file"
        case S_IFSOCK: return "it is a socket, not a regular file"
        default: return "it is not a regular file"
        }
    }
}

/// Why `RegularFile` refused or failed to read a file.
public enum RegularFileError: Error, Equatable, CustomStringConvertible {
    /// No file at the path.
    case notFound(path: String)
    /// Not a regular file, not readable, or an I/O error.
    case unreadable(path: String, reason: String)
    /// The file is larger than the limit for its kind; nothing was read.
    case tooLarge(path: String, size: Int, limit: Int)

    /// What is wrong, without the path.
    public var reason: String {
        switch self {
        case .notFound: return "no such file"
        case .unreadable(_, let reason): return reason
        case .tooLarge(_, let size, let limit): return "the file has \(size) bytes; the limit is \(limit)"
        }
    }

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path): no such file; check the path (relative paths start at the current directory)"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason)); give a regular file you may read"
        case .tooLarge(let path, let size, let limit):
            return "\(path): the file has \(size) bytes; the limit is \(limit)"
        }
    }
}
