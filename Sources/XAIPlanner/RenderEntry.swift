import Foundation
import XAIManifest

/// The cache entry of a render task: the overlay as `overlay.png` and the value range its colours
/// span as `scale.json`.
enum RenderEntry {
    static let overlayFile = "overlay.png"
    static let scaleFile = "scale.json"

    static func write(_ overlay: RenderedOverlay, to dir: URL) throws {
        try AtomicFile.write(overlay.png, to: dir.appendingPathComponent(overlayFile))
        try AtomicFile.write(JSONEncoder.sorted.encode(overlay.scale), to: dir.appendingPathComponent(scaleFile))
    }

    /// The overlay's PNG bytes.
    static func overlay(_ e: CachedEntry) throws -> Data { try e.data(overlayFile) }

    /// The colour scale.
    static func scale(_ e: CachedEntry) throws -> Manifest.Scale {
        try e.decode(Manifest.Scale.self, from: scaleFile, what: "a colour scale")
    }

    /// Reads everything the entry holds, so a damaged entry is found before it is used.
    static func validate(_ e: CachedEntry) throws {
        _ = try overlay(e)
        _ = try scale(e)
    }
}
