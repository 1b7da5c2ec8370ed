/// Errors from reading, decoding, encoding and writing images. Every case names the file
/// (or the `source` label given for in-memory data) and says what is wrong; `description`
/// adds what the user can do about it.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// No file at the path.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// The bytes are not PNG or JPEG data (empty file, text, another format).
    case notAnImage(source: String, detail: String)
    /// A recognised image format that this build does not decode (GIF, WebP, TIFF, BMP).
    case unsupportedFormat(source: String, format: String)
    /// The data ends before the image does.
    case truncated(source: String, detail: String)
    /// The data is damaged (bad checksum, invalid stream, impossible header).
    case corrupt(source: String, detail: String)
    /// The header declares more pixels than the limits allow; nothing was allocated.
    case tooLarge(source: String, detail: String)
    /// A valid file using a variant that is not supported.
    case unsupported(source: String, detail: String)
    /// Writing the output file failed.
    case writeFailed(path: String, reason: String)
    /// Encoding failed (invalid dimensions or values).
    case encodeFailed(detail: String)
    /// A tensor that is not `[1, 3, H, W]` or `[3, H, W]` was turned into an image.
    case badTensorShape([Int])

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file; check the path (relative paths start at the current directory)"
        case .unreadable(let path, let reason):
            return "\(path): cannot be read (\(reason)); check that it is a regular file you may read"
        case .notAnImage(let source, let detail):
            return "\(source): not an image (\(detail)); give a PNG or JPEG file"
        case .unsupportedFormat(let source, let format):
            return "\(source): \(format) images are not supported; convert it to PNG or JPEG"
        case .truncated(let source, let detail):
            return "\(source): the image file is truncated (\(detail)); re-download or re-export it"
        case .corrupt(let source, let detail):
            return "\(source): the image data is corrupt (\(detail)); re-export it or use another copy"
        case .tooLarge(let source, let detail):
            return "\(source): image too large (\(detail)); downscale it first or raise ImageLimits"
        case .unsupported(let source, let detail):
            return "\(source): unsupported image variant (\(detail)); re-save it as 8-bit RGB PNG or JPEG"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write the image (\(reason)); check that the directory exists and is writable"
        case .encodeFailed(let detail):
            return "PNG encoding failed: \(detail)"
        case .badTensorShape(let shape):
            return "cannot make an RGB image from a tensor of shape \(shape); expected [1, 3, H, W] or [3, H, W]"
        }
    }
}
