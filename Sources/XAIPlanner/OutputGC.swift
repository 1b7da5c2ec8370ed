import Foundation
import XAIManifest

/// A file of an output folder that no longer belongs to its experiment.
public struct StaleOutput: Equatable, Sendable {
    /// Path relative to the experiment's output folder (`maps/chelsea/occlusion@window=24.npy`).
    public var path: String
    public var bytes: Int64
}

extension ExperimentGraph.Explanation {
    /// The stem of this explanation's output files, relative to `maps/`, `overlays/` and
    /// `pictures/`: `IMAGE/RUN` (`IMAGE/MODEL/RUN` with several models; `#2`... for lower ranks).
    func outputStem(severalModels: Bool) -> String {
        (severalModels ? "\(image.id)/\(model.name)/" : "\(image.id)/") + run.id + (rank > 1 ? "#\(rank)" : "")
    }
}

extension ExperimentRunner {
    /// Files in the runner-owned folders of `Outputs/<name>/` (inputs, maps, overlays, pictures)
    /// that the experiment as it is now would not write: e.g. the maps and overlays of a removed
    /// sweep point or image. Nothing else of the folder (manifest, gallery pages, plan state) is
    /// ever a candidate, and neither is anything reached through a symbolic link.
    /// - Parameter graph: the experiment's current graph (built when nil).
    public func staleOutputs(graph: ExperimentGraph? = nil) throws -> [StaleOutput] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: folder.path) else { return [] }
        let experimentGraph = try graph ?? buildGraph()
        let keep = try referencedOutputs(experimentGraph)
        var out = [StaleOutput]()
        for top in Self.ownedFolders {
            for f in Self.plainFiles(under: folder.appendingPathComponent(top), prefix: top + "/") where !keep.contains(f.path) {
                out.append(f)
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Removes `staleOutputs()` (and folders they leave empty) while holding the folder's lock, so
    /// a run writing the same folder is never disturbed. With `dryRun`, only lists them.
    @discardableResult
    public func removeStaleOutputs(dryRun: Bool, graph: ExperimentGraph? = nil) throws -> [StaleOutput] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        if dryRun { return try staleOutputs(graph: graph) }
        let lock = try OutputLock(folder: folder)
        defer { lock.unlock() }
        let stale = try staleOutputs(graph: graph)
        let fm = FileManager.default
        for f in stale {
            let url = folder.appendingPathComponent(f.path)
            do {
                try fm.removeItem(at: url)
            } catch {
                throw OutputError.io(path: url.path, operation: "remove stale output", error: error)
            }
            // Drop parent folders it leaves empty, up to the owned folder (rmdir refuses non-empty ones).
            var dir = url.deletingLastPathComponent()
            while dir.deletingLastPathComponent().standardized.path != folder.standardized.path {
                if rmdir(dir.path) != 0 { break }
                dir = dir.deletingLastPathComponent()
            }
        }
        return stale
    }

    /// Every path (relative to the folder) the current experiment writes or lists: each
    /// explanation's map and overlay, the extra arrays and pictures its cache entry (or, when that
    /// is gone, the last manifest's entry for the same map) names, and each image's input picture.
    func referencedOutputs(_ experimentGraph: ExperimentGraph) throws -> Set<String> {
        let several = experiment.models.count > 1
        var keep = Set<String>()
        for image in experiment.images {
            for model in experiment.models {
                keep.insert("inputs/\(image.id)/\(model.name).png")
                keep.insert("inputs/\(image.id)/\(model.name).npy")
            }
        }
        let previous = (try? Manifest.read(from: folder))?.results ?? []
        for e in experimentGraph.explanations {
            let stem = e.outputStem(severalModels: several)
            keep.insert("maps/\(stem).npy")
            keep.insert("overlays/\(stem).png")
            if let task = experimentGraph.graph[e.explainTask], let entry = cache.lookup(task.key),
               let s = try? ExplainEntry.summary(entry, slot: e.jointSlot) {
                for a in s.arrays { keep.insert("maps/\(stem).\(a).npy") }
                for p in s.pictures { keep.insert("pictures/\(stem).\(p).png") }
            }
            for r in previous where r.map == "maps/\(stem).npy" {
                keep.formUnion(r.arrays.values)
                keep.formUnion(r.pictures.values)
            }
        }
        return keep
    }

    /// Regular files and symbolic links under `root` (links are listed, never followed).
    static func plainFiles(under root: URL, prefix: String) -> [StaleOutput] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var out = [StaleOutput]()
        for name in names.sorted() {
            let url = root.appendingPathComponent(name)
            guard let attrs = try? fm.attributesOfItem(atPath: url.path) else { continue }
            if (attrs[.type] as? FileAttributeType) == .typeDirectory {
                out += plainFiles(under: url, prefix: prefix + name + "/")
            } else {
                out.append(StaleOutput(path: prefix + name, bytes: (attrs[.size] as? NSNumber)?.int64Value ?? 0))
            }
        }
        return out
    }
}
