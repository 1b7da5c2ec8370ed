import Foundation

/// A `multipart/form-data` body (RFC 7578) split into its named parts. The whole body is already
/// bounded by the upload limit, so parsing works on it in memory; a part without a name, a
/// missing closing boundary or more than `maxParts` parts is an error, not a guess.
struct MultipartForm {
    struct Part {
        let name: String
        let filename: String?
        let contentType: String?
        let body: [UInt8]
    }

    let parts: [Part]
    static let maxParts = 16

    /// The first part called `name`.
    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// - Parameter contentType: the request's `Content-Type`, carrying the boundary.
    init(body: [UInt8], contentType: String) throws {
        guard let boundary = Self.parameter("boundary", of: contentType), !boundary.isEmpty, boundary.utf8.count <= 200 else {
            throw ServerError.badRequest("multipart body without a boundary")
        }
        let delimiter = Array("--\(boundary)".utf8)
        var positions = Self.occurrences(of: delimiter, in: body)
        guard positions.count >= 2 else { throw ServerError.badRequest("multipart body without its closing boundary") }
        guard positions.count - 1 <= Self.maxParts else { throw ServerError.badRequest("more than \(Self.maxParts) multipart parts") }
        var parts = [Part]()
        let last = positions.removeLast()
        guard body[(last + delimiter.count)...].starts(with: Array("--".utf8)) else {
            throw ServerError.badRequest("multipart body without its closing boundary")
        }
        for (i, start) in positions.enumerated() {
            let end = i + 1 < positions.count ? positions[i + 1] : last
            // A part runs from after "--boundary\r\n" to before "\r\n--boundary".
            var lo = start + delimiter.count
            if body[lo...].starts(with: [13, 10]) { lo += 2 }
            var hi = end
            if hi >= 2, body[hi - 2] == 13, body[hi - 1] == 10 { hi -= 2 }
            guard lo <= hi else { throw ServerError.badRequest("malformed multipart part") }
            parts.append(try Self.part(Array(body[lo..<hi])))
        }
        self.parts = parts
    }

    private static func part(_ bytes: [UInt8]) throws -> Part {
        guard let split = occurrences(of: [13, 10, 13, 10], in: bytes, limit: 1).first else {
            throw ServerError.badRequest("multipart part without headers")
        }
        let head = String(decoding: bytes[..<split], as: UTF8.self)
        var disposition: String?, type: String?
        for line in head.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if key == "content-disposition" { disposition = value }
            if key == "content-type" { type = value }
        }
        guard let disposition, let name = parameter("name", of: disposition), !name.isEmpty else {
            throw ServerError.badRequest("multipart part without a name")
        }
        return Part(name: name, filename: parameter("filename", of: disposition), contentType: type,
                    body: Array(bytes[(split + 4)...]))
    }

    /// `key=value` or `key="value"` in a header value such as `form-data; name="image"`.
    static func parameter(_ key: String, of header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let kv = item.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var v = kv[1].trimmingCharacters(in: .whitespaces)
            if v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\"") { v = String(v.dropFirst().dropLast()) }
            return v
        }
        return nil
    }

    /// Start offsets of `needle` in `haystack`, not overlapping.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8], limit: Int = .max) -> [Int] {
        var found = [Int]()
        guard !needle.isEmpty, haystack.count >= needle.count else { return found }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count, found.count < limit {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) {
                found.append(i)
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }
}
