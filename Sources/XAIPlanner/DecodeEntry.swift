import Foundation
import XAICore
import XAIManifest

/// The cache entry of a decode task: the cropped picture and the network input as .npy, the
/// cropped picture as PNG for the gallery (when the backend encoded one), and the original size
/// as the entry's metadata.
enum DecodeEntry {
    static let croppedFile = "cropped.npy"
    static let inputFile = "input.npy"
    static let previewFile = "input.png"

    /// Kept in the entry's `meta.json`.
    struct Metadata: Codable, Equatable {
        /// Size of the original file's picture.
        var width: Int
        var height: Int
    }

    /// Writes `image` into the entry folder `dir` and returns the metadata to record.
    static func write(_ image: DecodedImage, to dir: URL) throws -> Metadata {
        try AtomicFile.write(NPY.encode(image.cropped), to: dir.appendingPathComponent(croppedFile))
        try AtomicFile.write(NPY.encode(image.input), to: dir.appendingPathComponent(inputFile))
        if let preview = image.preview { try AtomicFile.write(preview, to: dir.appendingPathComponent(previewFile)) }
        return Metadata(width: image.originalWidth, height: image.originalHeight)
    }

    static func metadata(_ e: CachedEntry) throws -> Metadata {
        try e.info(as: Metadata.self)
    }

    /// The decoded image (without its preview, which only the gallery reads); NaN or infinite
    /// values count as damage.
    static func read(_ e: CachedEntry) throws -> DecodedImage {
        let size = try metadata(e)
        return DecodedImage(originalWidth: size.width, originalHeight: size.height,
                            cropped: try e.array(croppedFile, finite: true), input: try e.array(inputFile, finite: true))
    }

    /// The picture the gallery shows (its path in the entry) and its file extension: the PNG
    /// preview when the entry has one, else the cropped array.
    static func picture(_ e: CachedEntry) -> (path: String, fileExtension: String) {
        e.contains(previewFile) ? (previewFile, "png") : (croppedFile, "npy")
    }

    /// Reads everything the entry holds, so a damaged entry is found before it is used.
    static func validate(_ e: CachedEntry) throws {
        _ = try read(e)
        _ = try e.data(picture(e).path)
    }
}
