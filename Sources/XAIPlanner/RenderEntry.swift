import Foundation
import XAIManifest

/// The cache entry of a render task: the overlay as `overlay.png` and the value range its colours
/// span as `scale.json`.
enum RenderEntry {
    static let overlayFile = "overlay.png"
    static let scaleFile = "scale.json"

    static func write(_ overlay: RenderedOverlay, to dir: URL) throws {
        try overlay.png.write(to: dir.appendingPathComponent(overlayFile))
        try JSONEncoder.sorted.encode(overlay.scale).write(to: dir.appendingPathComponent(scaleFile))
    }

    static func overlay(_ e: CachedEntry) -> URL { e.url(overlayFile) }

    /// The colour scale; nil when it cannot be read, so the gallery shows the overlay without
    /// its colour bar rather than failing the run.
    static func scale(_ e: CachedEntry) -> Manifest.Scale? {
        try? e.decode(Manifest.Scale.self, from: scaleFile)
    }
}
