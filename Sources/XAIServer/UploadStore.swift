import Foundation
import XAICore
import XAIImaging
import XAIManifest
import XAIPlanner

/// Uploaded images, stored content-addressed as `Outputs/uploads/<sha256>.png|jpg`: the same
/// picture uploaded twice is one file and one set of cache entries, and nothing a client sends
/// chooses a path. An image is decoded once, under the server's pixel limits, before it is kept.
struct UploadStore: Sendable {
    let folder: URL
    let limits: ImageLimits

    init(outputs: URL, maxSide: Int, maxPixels: Int) {
        folder = outputs.appendingPathComponent("uploads")
        limits = ImageLimits(maxSide: maxSide, maxPixels: maxPixels)
    }

    /// Checks `bytes` and stores them; returns the stored file's absolute path.
    /// - Throws: `ServerError.badRequest` for anything not a PNG or JPEG within the limits.
    func store(_ bytes: [UInt8]) throws -> String {
        do {
            _ = try ImageIO.decode(bytes, source: "the upload", limits: limits)
        } catch let error as ImageError {
            throw ServerError.badRequest(error.description)
        }
        // The decoder accepted it, so it is PNG or JPEG; keep the extension true to the bytes.
        let ext = bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "png" : "jpg"
        let name = try PathComponent("\(ContentHash.sha256(Data(bytes))).\(ext)")
        let file = folder.appendingPathComponent(name.string)
        try OutputTree(root: folder.deletingLastPathComponent()).makeFolder(folder)
        if (try? RegularFile.size(file.path, maxBytes: bytes.count)) != bytes.count {
            try AtomicFile.write(Data(bytes), to: file)
        }
        return file.path
    }
}
