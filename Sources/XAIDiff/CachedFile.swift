import Foundation
import XAICore
import XAIManifest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files of the cache for `xai diff`. The cache is untrusted: only regular files (a
/// symbolic link is refused, not followed), sizes checked before reading, `.npy` contents
/// verified against the shape the run's manifest recorded.
enum CachedFile {
    /// The largest file read: a [K, H, W] float32 map of 64 concepts at 512 x 512 is 64 MiB.
    static let maxBytes = 64 << 20

    /// The bytes of the regular file at `url`, at most `maxBytes`.
    static func bytes(_ url: URL) throws -> Data {
        var info = stat()
        guard lstat(url.path, &info) == 0 else {
            throw DiffError.untrustedFile(path: url.path, detail: "cannot be read (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw DiffError.untrustedFile(path: url.path, detail: "is not a regular file")
        }
        guard info.st_size <= maxBytes else {
            throw DiffError.untrustedFile(path: url.path, detail: "has \(info.st_size) bytes, more than the \(maxBytes) allowed")
        }
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            // Read one byte past the limit: a file that grew since lstat is caught too.
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            guard data.count <= maxBytes else {
                throw DiffError.untrustedFile(path: url.path, detail: "grew past \(maxBytes) bytes while being read")
            }
            return data
        } catch let error as DiffError {
            throw error
        } catch {
            throw DiffError.untrustedFile(path: url.path, detail: "cannot be read (\(error.localizedDescription))")
        }
    }

    /// The float32 map at `url`, which must have `shape`, with finite values only.
    static func map(_ url: URL, shape: [Int]) throws -> Tensor {
        let t = try NPY.decode(bytes(url), path: url.path)
        guard t.shape == shape else {
            throw DiffError.untrustedFile(path: url.path, detail: "holds shape \(t.shape), the run recorded \(shape)")
        }
        guard t.data.allSatisfy({ $0.isFinite }) else {
            throw DiffError.untrustedFile(path: url.path, detail: "holds NaN or infinite values")
        }
        return t
    }
}
