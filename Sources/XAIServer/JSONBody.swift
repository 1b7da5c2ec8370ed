import Foundation
import Hummingbird

/// JSON responses: keys sorted so that answers are stable (and diffable), no caching of API
/// answers, which change as runs and jobs come and go.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return raw(try encoder.encode(value), status: status)
    }

    /// Bytes that are already JSON (a manifest, a diff.json).
    static func raw<Bytes: Sequence>(_ bytes: Bytes, status: HTTPResponse.Status = .ok) -> Response where Bytes.Element == UInt8 {
        Response(status: status,
                 headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
