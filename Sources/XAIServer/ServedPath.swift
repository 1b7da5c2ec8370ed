import Foundation

/// A path below the outputs folder that a client asked for (`/files/<path>`), checked before it
/// touches the file system: each component is percent-decoded once and must not be empty, `.`,
/// `..`, hidden (leading `.`: the cache, the run history, locks), or hold `/`, `\`, NUL or a
/// control character; the extension must be one the viewer serves.
struct ServedPath: Equatable, CustomStringConvertible {
    /// The decoded components, in order.
    let components: [String]
    let mediaType: String

    /// File kinds the viewer needs; anything else under `Outputs/` stays private.
    static let mediaTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "json": "application/json", "csv": "text/csv; charset=utf-8",
        "md": "text/markdown; charset=utf-8", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
        "svg": "image/svg+xml", "npy": "application/octet-stream",
    ]
    static let maxComponents = 16

    /// - Throws: `ServerError.badPath` saying what is wrong.
    init(raw: [Substring]) throws {
        guard !raw.isEmpty, raw.count <= Self.maxComponents else {
            throw ServerError.badPath("a file path has 1 to \(Self.maxComponents) components")
        }
        var parts = [String]()
        for r in raw {
            guard let c = String(r).removingPercentEncoding else { throw ServerError.badPath("invalid percent-encoding") }
            if let problem = Self.problem(c) { throw ServerError.badPath(problem) }
            parts.append(c)
        }
        let ext = (parts.last.map { ($0 as NSString).pathExtension } ?? "").lowercased()
        guard let type = Self.mediaTypes[ext] else {
            throw ServerError.badPath("only \(Self.mediaTypes.keys.sorted().joined(separator: ", ")) files are served")
        }
        components = parts
        mediaType = type
    }

    static func problem(_ c: String) -> String? {
        if c.isEmpty { return "empty path component" }
        if c == "." || c == ".." { return "'.' and '..' are not allowed" }
        if c.hasPrefix(".") { return "hidden files are not served" }
        if c.utf8.count > 255 { return "a path component is longer than 255 bytes" }
        for s in c.unicodeScalars where s == "/" || s == "\\" || s.value < 0x20 || s.value == 0x7f {
            return "a path component contains a separator or a control character"
        }
        return nil
    }

    var description: String { components.joined(separator: "/") }
}
