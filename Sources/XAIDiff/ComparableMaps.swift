import Foundation
import XAICore
import XAIImaging
import XAIManifest
import XAIPlanner

/// A map of one side of a pair, at the resolution both are compared at.
struct PlaneMap {
    var values: [Float]
    var height: Int
    var width: Int
}

/// Why a pair's maps were not compared; it becomes the pair's note.
struct NotCompared: Error, CustomStringConvertible {
    var description: String
}

extension RunDiff {
    /// The two maps of a pair, read from the cache and brought to one size (the smaller enlarged
    /// to the larger, bilinear), so maps of models with other input sizes still compare.
    static func comparableMaps(_ ra: Manifest.Result, _ a: DiffSide, _ rb: Manifest.Result, _ b: DiffSide,
                               cache: CacheStore) throws -> (PlaneMap, PlaneMap) {
        var ma = try planeMap(ra, a, cache: cache), mb = try planeMap(rb, b, cache: cache)
        let h = max(ma.height, mb.height), w = max(ma.width, mb.width)
        for i in [0, 1] {
            let m = i == 0 ? ma : mb
            guard m.height != h || m.width != w else { continue }
            let resized = PlaneMap(values: MapResize.bilinear(m.values, h: m.height, w: m.width, toH: h, toW: w),
                                   height: h, width: w)
            if i == 0 { ma = resized } else { mb = resized }
        }
        return (ma, mb)
    }

    private static func planeMap(_ r: Manifest.Result, _ side: DiffSide, cache: CacheStore) throws -> PlaneMap {
        guard r.mapShape.count == 2, r.mapShape.allSatisfy({ $0 > 0 }) else {
            throw NotCompared(description: "a map of shape \(r.mapShape) (several maps per image) is not compared")
        }
        guard let entry = CacheKey.validated(r.key).flatMap(cache.lookup) else {
            throw NotCompared(description: DiffError.missingEntry(run: side.record.id, result: "the map of \(r.task)",
                                                                  key: r.key).description)
        }
        do {
            let t = try ResultFiles.map(in: entry)
            guard t.shape == r.mapShape else {
                throw NotCompared(description: "the map of \(r.task) holds shape \(t.shape), the run recorded \(r.mapShape)")
            }
            return PlaneMap(values: t.data, height: r.mapShape[0], width: r.mapShape[1])
        } catch {
            throw NotCompared(description: "\(error)")
        }
    }
}
