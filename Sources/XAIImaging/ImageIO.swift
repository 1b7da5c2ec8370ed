import Foundation
internal import CImageCodec
import XAICore

/// Reading and writing PNG / JPEG files. The format is detected from the leading bytes,
/// never from the file name. JPEG EXIF orientation is applied, so images come out the way
/// a viewer shows them. Errors are `ImageError` values naming the file.
public enum ImageIO {
    /// Reads and decodes a PNG or JPEG file.
    /// - Parameters:
    ///   - alpha: what to do with transparency; `.drop` (default) matches PIL's `convert("RGB")`.
    ///   - limits: file and header size limits checked before allocation.
    public static func read(contentsOf path: String, alpha: AlphaPolicy = .drop,
                            limits: ImageLimits = .default) throws -> RGBImage {
        try decode(readBytes(path, maxBytes: limits.maxFileBytes), source: path, alpha: alpha, limits: limits)
    }

    /// Decodes PNG or JPEG bytes; `source` names the data in errors (usually the path).
    public static func decode(_ bytes: [UInt8], source: String, alpha: AlphaPolicy = .drop,
                              limits: ImageLimits = .default) throws -> RGBImage {
        try ImageDecoder.decode(bytes, source: source, alpha: alpha, limits: limits)
    }

    /// Reads a whole regular file of at most `maxBytes` (see `RegularFile`), distinguishing a
    /// missing file from an unreadable one.
    public static func readBytes(_ path: String, maxBytes: Int = ImageLimits.default.maxFileBytes) throws -> [UInt8] {
        do {
            return try RegularFile.read(path, maxBytes: maxBytes)
        } catch RegularFileError.notFound(let path) {
            throw ImageError.fileNotFound(path: path)
        } catch RegularFileError.unreadable(let path, let reason) {
            throw ImageError.unreadable(path: path, reason: reason)
        } catch RegularFileError.tooLarge(let path, let size, let limit) {
            throw ImageError.tooLarge(source: path, detail: "the file has \(size) bytes; the limit is \(limit)")
        }
    }

    /// Encodes an image as an 8-bit RGB PNG (samples clamped to 0...1 and rounded).
    public static func encodePNG(_ image: RGBImage) throws -> [UInt8] {
        try encode(image.interleavedRGB8(), width: image.width, height: image.height, channels: 3, bitDepth: 8)
    }

    /// Encodes an 8-bit single-channel (gray) PNG; `gray` holds `width * height` samples, rows top to bottom.
    public static func encodeGrayPNG(_ gray: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        guard width > 0, height > 0, gray.count == width * height else {
            throw ImageError.encodeFailed(detail: "gray image \(width)x\(height) needs \(width * height) samples, got \(gray.count)")
        }
        return try encode(gray, width: width, height: height, channels: 1, bitDepth: 8)
    }

    /// Encodes a label map (e.g. a segmentation) as a gray PNG whose sample values are the
    /// labels: 8-bit when every label is below 256, else 16-bit. Labels must be in 0...65535.
    public static func encodeLabelPNG(_ labels: [Int32], width: Int, height: Int) throws -> [UInt8] {
        guard width > 0, height > 0, labels.count == width * height else {
            throw ImageError.encodeFailed(detail: "label map \(width)x\(height) needs \(width * height) labels, got \(labels.count)")
        }
        guard let lo = labels.min(), let hi = labels.max(), lo >= 0, hi <= 65535 else {
            throw ImageError.encodeFailed(detail: "labels must lie in 0...65535 to be stored in a PNG")
        }
        if hi < 256 {
            return try encode(labels.map { UInt8($0) }, width: width, height: height, channels: 1, bitDepth: 8)
        }
        return try encode(labels.map { UInt16($0) }, width: width, height: height, channels: 1, bitDepth: 16)
    }

    /// Writes an 8-bit RGB PNG atomically: the bytes go to a temporary file in the same
    /// directory, which is then renamed over `path`, so readers never see a partial file.
    public static func writePNG(_ image: RGBImage, to path: String) throws {
        try writeAtomically(try encodePNG(image), to: path)
    }

    /// Writes already-encoded bytes atomically (temporary file in the same directory + rename).
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temp = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temp, contents: Data(bytes)) else {
            throw ImageError.writeFailed(path: path, reason: "cannot create a file in \(directory)")
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw ImageError.writeFailed(path: path, reason: reason)
        }
    }

    private static func encode<T>(_ samples: [T], width: Int, height: Int, channels: Int, bitDepth: Int) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = samples.withUnsafeBytes { raw in
            message.withUnsafeMutableBufferPointer { msg in
                xai_png_encode(raw.baseAddress, Int32(clamping: width), Int32(clamping: height), Int32(channels),
                               Int32(bitDepth), &out, &size, msg.baseAddress, msg.count)
            }
        }
        defer { xai_free(out) }
        guard status == XAI_OK, let bytes = out else {
            let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImageError.encodeFailed(detail: detail)
        }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }
}
