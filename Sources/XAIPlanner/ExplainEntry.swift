import Foundation
import XAICore
import XAIManifest

/// The cache entry of an explain task: `map.npy`, `explanation.json` (`Summary`: target, signed,
/// scalars, legend, names of the extras), `arrays/<name>.npy` and `pictures/<name>.png`. A joint
/// task keeps one such set per image in the image's slot folder, `images/<slot>/`.
enum ExplainEntry {
    /// Kept as `explanation.json`.
    struct Summary: Codable {
        var target: Manifest.Target
        var signed: Bool
        var scalars: [String: Double]
        var legend: [Manifest.LegendEntry]
        var arrays: [String]
        var pictures: [String]
    }

    /// Paths of one explanation's files relative to the entry folder.
    struct Paths {
        /// Empty, or `images/<slot>/` inside a joint task's entry.
        let base: String

        init(slot: Int?) {
            base = slot.map { "images/\($0)/" } ?? ""
        }

        var map: String { base + "map.npy" }
        var summary: String { base + "explanation.json" }
        var arrays: String { base + "arrays" }
        var pictures: String { base + "pictures" }
        func array(_ name: String) -> String { "\(arrays)/\(name).npy" }
        func picture(_ name: String) -> String { "\(pictures)/\(name).png" }
    }

    /// Writes `x` for `target` into the entry folder `dir` (into `slot`'s folder for a joint task).
    static func write(_ x: ExplanationData, target: Manifest.Target, to dir: URL, slot: Int? = nil) throws {
        let paths = Paths(slot: slot)
        func url(_ path: String) -> URL { dir.appendingPathComponent(path) }
        try AtomicFile.write(NPY.encode(x.map), to: url(paths.map))
        for (name, t) in x.arrays { try AtomicFile.write(NPY.encode(t), to: url(paths.array(try safe(name)))) }
        for (name, png) in x.pictures { try AtomicFile.write(png, to: url(paths.picture(try safe(name)))) }
        let s = Summary(target: target, signed: x.signed, scalars: x.scalars, legend: x.legend,
                        arrays: x.arrays.keys.sorted(), pictures: x.pictures.keys.sorted())
        try AtomicFile.write(JSONEncoder.sorted.encode(s), to: url(paths.summary))
    }

    static func summary(_ e: CachedEntry, slot: Int?) throws -> Summary {
        try e.decode(Summary.self, from: Paths(slot: slot).summary, what: "an explanation summary")
    }

    /// The explanation in `slot` (nil: the entry's only one), every file checked (`CachedEntry`);
    /// a map with NaN or infinite values counts as damage.
    static func read(_ e: CachedEntry, slot: Int?) throws -> (ExplanationData, Manifest.Target) {
        let paths = Paths(slot: slot)
        let s = try summary(e, slot: slot)
        var arrays = [String: Tensor]()
        for a in s.arrays { arrays[a] = try e.array(paths.array(a)) }
        var pictures = [String: Data]()
        for p in s.pictures { pictures[p] = try e.data(paths.picture(p)) }
        let x = ExplanationData(map: try e.array(paths.map, finite: true), signed: s.signed, scalars: s.scalars,
                                arrays: arrays, pictures: pictures, legend: s.legend,
                                cacheName: e.key.hex + (slot.map { "/\($0)" } ?? ""))
        return (x, s.target)
    }

    /// Names become file names: only `[A-Za-z0-9._-]`, not starting with a dot.
    static func safe(_ name: String) throws -> String {
        let ok = !name.isEmpty && !name.hasPrefix(".") && name.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._-".unicodeScalars.contains($0)
        }
        guard ok else { throw PlannerError.invalidValue(context: "output name '\(name)'", detail: "use letters, digits, '.', '_' or '-'") }
        return name
    }
}
