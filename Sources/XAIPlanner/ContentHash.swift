import Crypto
import Foundation
import XAICore
import XAIManifest

/// SHA-256 content hashes, written as 64 lowercase hex digits.
///
/// Files are read in fixed-size chunks so that hashing a large model never holds the
/// whole file in memory.
public enum ContentHash {
    /// Bytes read per chunk when hashing a file.
    public static let chunkSize = 1 << 20

    /// The hex SHA-256 of `data`.
    public static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// The hex SHA-256 of the UTF-8 bytes of `string`.
    public static func sha256(string: String) -> String {
        sha256(Data(string.utf8))
    }

    /// The hex SHA-256 of the regular file at `url`, streamed in `chunkSize` pieces. Users name
    /// these files, so anything else (a FIFO, `/dev/zero`, a socket; a symbolic link is judged by
    /// its target, as `RegularFile` does) is refused rather than read until it ends, and reading
    /// stops at the size the file had when opened.
    public static func sha256(file url: URL, maxBytes: Int = .max) throws -> String {
        let handle: FileHandle, size: Int
        do {
            (handle, size) = try RegularFile.openForReading(url.path, maxBytes: maxBytes)
        } catch let error as RegularFileError {
            throw OutputError.io(path: url.path, operation: "hash the file", detail: error.reason)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var remaining = size
        while remaining > 0 {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: min(chunkSize, remaining))
            } catch {
                throw OutputError.io(path: url.path, operation: "read for hashing", error: error)
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
            remaining -= chunk.count
        }
        return hex(hasher.finalize())
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
