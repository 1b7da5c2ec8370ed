import Foundation
import XAIManifest
import XAICore

/// The files of an explanation's cache entry: `map.npy`, `explanation.json` (target, signed,
/// scalars, legend), `arrays/<name>.npy` and `pictures/<name>.png`. A joint task keeps one such
/// set per image in a sub-folder (`base`, e.g. `images/0/`; empty for ordinary explanations).
enum ExplanationFiles {
    struct Summary: Codable {
        var target: Manifest.Target
        var signed: Bool
        var scalars: [String: Double]
        var legend: [Manifest.LegendEntry]
        var arrays: [String]
        var pictures: [String]
    }

    static func write(_ x: ExplanationData, target: Manifest.Target, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try NPY.encode(x.map).write(to: dir.appendingPathComponent("map.npy"))
        let fm = FileManager.default
        if !x.arrays.isEmpty { try fm.createDirectory(at: dir.appendingPathComponent("arrays"), withIntermediateDirectories: true) }
        if !x.pictures.isEmpty { try fm.createDirectory(at: dir.appendingPathComponent("pictures"), withIntermediateDirectories: true) }
        for (name, t) in x.arrays { try NPY.encode(t).write(to: dir.appendingPathComponent("arrays/\(try safe(name)).npy")) }
        for (name, png) in x.pictures { try png.write(to: dir.appendingPathComponent("pictures/\(try safe(name)).png")) }
        for (k, v) in x.scalars where !v.isFinite {
            throw PlannerError.invalidValue(context: "scalar '\(k)'", detail: "\(v) is not a finite number")
        }
        let s = Summary(target: target, signed: x.signed, scalars: x.scalars, legend: x.legend,
                        arrays: x.arrays.keys.sorted(), pictures: x.pictures.keys.sorted())
        try JSONEncoder.sorted.encode(s).write(to: dir.appendingPathComponent("explanation.json"))
    }

    static func summary(_ e: CachedEntry, base: String = "") throws -> Summary {
        do {
            return try JSONDecoder().decode(Summary.self, from: e.data(base + "explanation.json"))
        } catch let error as OutputError {
            throw error
        } catch {
            throw OutputError.corrupt(path: e.url(base + "explanation.json").path, detail: "\(error)")
        }
    }

    static func read(_ e: CachedEntry, base: String = "") throws -> (ExplanationData, Manifest.Target) {
        let s = try summary(e, base: base)
        var arrays = [String: Tensor]()
        for a in s.arrays { arrays[a] = try NPY.read(e.url(base + "arrays/\(a).npy")) }
        var pictures = [String: Data]()
        for p in s.pictures { pictures[p] = try e.data(base + "pictures/\(p).png") }
        let x = ExplanationData(map: try NPY.read(e.url(base + "map.npy")), signed: s.signed, scalars: s.scalars,
                                arrays: arrays, pictures: pictures, legend: s.legend)
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
