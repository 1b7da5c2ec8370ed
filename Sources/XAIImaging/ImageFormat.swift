/// Container formats recognised by their leading bytes (never by file extension).
public enum ImageFormat: Equatable, Sendable {
    case png
    case jpeg
    /// A known image format that is not decoded here; the payload names it.
    case other(String)
    case unknown

    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The format `b` starts with.
    public static func detect(_ b: [UInt8]) -> ImageFormat {
        func starts(_ prefix: [UInt8]) -> Bool {
            b.count >= prefix.count && Array(b[0..<prefix.count]) == prefix
        }
        if starts(pngSignature) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF8".utf8)) { return .other("GIF") }
        if starts(Array("BM".utf8)) && b.count >= 14 { return .other("BMP") }
        if starts(Array("RIFF".utf8)) && b.count >= 12 && Array(b[8..<12]) == Array("WEBP".utf8) { return .other("WebP") }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .other("TIFF") }
        if b.count >= 12 && Array(b[4..<8]) == Array("ftyp".utf8) { return .other("HEIF/AVIF") }
        return .unknown
    }

    /// True when the bytes are a proper prefix of a PNG or JPEG signature: a file cut off
    /// inside its first bytes is truncated, not "not an image".
    static func isSignaturePrefix(_ b: [UInt8]) -> Bool {
        guard !b.isEmpty else { return false }
        if b.count < pngSignature.count && Array(pngSignature[0..<b.count]) == b { return true }
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF]
        return b.count < jpeg.count && Array(jpeg[0..<b.count]) == b
    }
}
