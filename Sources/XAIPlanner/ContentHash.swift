import Crypto
import Foundation
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

    /// The hex SHA-256 of the file at `url`, streamed in `chunkSize` pieces.
    public static func sha256(file url: URL) throws -> String {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw OutputError.io(path: url.path, operation: "open for hashing", error: error)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkSize)
            } catch {
                throw OutputError.io(path: url.path, operation: "read for hashing", error: error)
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
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
