import Foundation
import XAIImaging
import XAIManifest
import XAIPlanner
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pictures of a diff's pairs under `<diff>/pairs/`: the two runs' overlays, copied from the
/// cache after checking they decode as images, and a signed difference map. Files are named by
/// pair number, so no image or method name becomes a path.
struct DiffPictures {
    let folder: URL
    let cache: CacheStore

    static let subfolder = "pairs"
    /// The difference map's colours: blue where B is lower, red where B is higher.
    static let colormap = Colormap.bwr

    /// Removes the pictures of an earlier diff of the same runs (a pair whose map has since been
    /// removed from the cache gets none this time). A link in place of the folder is removed, not followed.
    func reset() throws {
        let url = folder.appendingPathComponent(Self.subfolder)
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw OutputError.io(path: url.path, operation: "remove the earlier diff's pictures", detail: error.localizedDescription)
        }
    }

    /// Writes pair `index`'s pictures and returns their paths relative to `folder`.
    func write(index: Int, a: PlaneMap, b: PlaneMap, overlayA: String?, overlayB: String?) throws -> RunDiff.Pictures {
        let stem = Self.subfolder + "/" + String(format: "%04d", index)
        let difference = Self.difference(a, b)
        let png = try ImageIO.encodePNG(
            Overlay.colorize(difference, width: a.width, height: a.height, colormap: Self.colormap,
                             scaling: .fixed(lo: -1, hi: 1)).image)
        try put(Data(png), as: stem + "-difference.png")
        return RunDiff.Pictures(overlayA: try copyOverlay(overlayA, as: stem + "-a.png"),
                                overlayB: try copyOverlay(overlayB, as: stem + "-b.png"),
                                difference: stem + "-difference.png")
    }

    /// B / max|B| - A / max|A| (a map of zeros stays zero): the change in where each run puts
    /// its attribution, whatever the two maps' units.
    static func difference(_ a: PlaneMap, _ b: PlaneMap) -> [Float] {
        func normalised(_ v: [Float]) -> [Float] {
            let m = v.reduce(Float(0)) { max($0, abs($1)) }
            return m > 0 ? v.map { $0 / m } : v.map { _ in 0 }
        }
        return zip(normalised(b.values), normalised(a.values)).map { $0 - $1 }
    }

    /// Copies the overlay PNG of the render entry `key` when it is cached and decodes; nil otherwise.
    private func copyOverlay(_ key: String?, as relative: String) throws -> String? {
        guard let entry = CacheKey.validated(key).flatMap(cache.lookup),
              let bytes = try? ResultFiles.overlay(in: entry),
              (try? ImageIO.decode([UInt8](bytes), source: relative)) != nil else { return nil }
        try put(bytes, as: relative)
        return relative
    }

    private func put(_ data: Data, as relative: String) throws {
        try AtomicFile.write(data, to: folder.appendingPathComponent(relative))
    }
}
