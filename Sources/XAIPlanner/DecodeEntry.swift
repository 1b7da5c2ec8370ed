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
        try NPY.encode(image.cropped).write(to: dir.appendingPathComponent(croppedFile))
        try NPY.encode(image.input).write(to: dir.appendingPathComponent(inputFile))
        try image.preview?.write(to: dir.appendingPathComponent(previewFile))
        return Metadata(width: image.originalWidth, height: image.originalHeight)
    }

    static func metadata(_ e: CachedEntry) throws -> Metadata {
        try e.info(as: Metadata.self)
    }

    /// The decoded image (without its preview, which only the gallery reads).
    static func read(_ e: CachedEntry) throws -> DecodedImage {
        let size = try metadata(e)
        return DecodedImage(originalWidth: size.width, originalHeight: size.height,
                            cropped: try NPY.read(e.url(croppedFile)), input: try NPY.read(e.url(inputFile)))
    }

    /// The picture the gallery shows and its file extension: the PNG preview when the entry has
    /// one, else the cropped array.
    static func picture(_ e: CachedEntry) -> (url: URL, fileExtension: String) {
        e.meta.files.contains(previewFile) ? (e.url(previewFile), "png") : (e.url(croppedFile), "npy")
    }
}
