import Foundation
import XAIManifest
import XAICore
import XAIExperiment

extension ExperimentRunner {
    /// Copies the results of `eg` from the cache into the output folder, removes files there that
    /// no result refers to any more, and writes `manifest.json`.
    func assemble(_ eg: ExperimentGraph, _ report: ExecutionReport) throws -> Manifest {
        var written = Set<String>()
        func place(_ source: URL, as relative: String) throws -> String {
            try Self.install(source, at: folder.appendingPathComponent(relative))
            written.insert(relative)
            return relative
        }
        func entry(_ id: String) -> CachedEntry? { report.outcomes[id]?.entry }
        func cachedThisRun(_ id: String) -> Bool {
            if case .cached = report.outcomes[id] { return true }
            return false
        }
        let several = experiment.models.count > 1

        var images = [Manifest.Image]()
        var predictions = [Manifest.Prediction]()
        for image in experiment.images {
            var inputs = [String: String]()
            var size = (0, 0)
            for model in experiment.models {
                let prefix = several ? "\(image.id)/\(model.name)" : image.id
                guard let dec = eg.graph[ "\(prefix)/decode"].flatMap({ entry($0.id) }) else { continue }
                size = (Int(dec.meta.info["width"] ?? "") ?? 0, Int(dec.meta.info["height"] ?? "") ?? 0)
                let png = dec.meta.files.contains("input.png")
                inputs[model.name] = try place(dec.url(png ? "input.png" : "cropped.npy"),
                                               as: "inputs/\(image.id)/\(model.name)." + (png ? "png" : "npy"))
                if let pred = eg.graph["\(prefix)/predict"].flatMap({ entry($0.id) }) {
                    let p = try NPY.read(pred.url("probabilities.npy")).data
                    let labels = try backend.labels(model: model)
                    let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
                    let top = order.prefix(max(5, experiment.topK)).enumerated().map { r, i in
                        Manifest.Target(index: i, label: i < labels.count ? labels[i] : "class \(i)",
                                        probability: Double(p[i]), rank: r + 1)
                    }
                    predictions.append(Manifest.Prediction(image: image.id, model: model.name, top: top))
                }
            }
            images.append(Manifest.Image(id: image.id, path: image.path, sha256: eg.imageHashes[image.id] ?? "",
                                         width: size.0, height: size.1, inputs: inputs))
        }

        var results = [Manifest.Result]()
        for e in eg.explanations {
            let explainID = eg.graph.resolve(e.explainTask)
            guard let ex = entry(explainID) else { continue }
            let base = e.filesBase
            let s = try ExplanationFiles.summary(ex, base: base)
            let stem = e.outputStem(severalModels: several)
            let map = try place(ex.url(base + "map.npy"), as: "maps/\(stem).npy")
            var arrays = [String: String](), pictures = [String: String]()
            for a in s.arrays { arrays[a] = try place(ex.url(base + "arrays/\(a).npy"), as: "maps/\(stem).\(a).npy") }
            for p in s.pictures { pictures[p] = try place(ex.url(base + "pictures/\(p).png"), as: "pictures/\(stem).\(p).png") }
            var overlay: String?, scale: Manifest.Scale?
            if let r = entry(eg.graph.resolve(e.renderTask)) {
                overlay = try place(r.url("overlay.png"), as: "overlays/\(stem).png")
                scale = try? JSONDecoder().decode(Manifest.Scale.self, from: r.data("scale.json"))
            }
            var metrics = [String: Manifest.MetricValue]()
            for (id, task) in e.metricTasks {
                if let m = entry(eg.graph.resolve(task)) {
                    metrics[id] = try JSONDecoder().decode(Manifest.MetricValue.self, from: m.data("metric.json"))
                }
            }
            let mapShape = try NPY.read(ex.url(base + "map.npy")).shape
            // A joint task's time is shared by its images, so totals over results stay true.
            let share = e.jointSlot == nil ? 1 : Double(max(1, eg.joints[explainID]?.members.count ?? 1))
            results.append(Manifest.Result(
                image: e.image.id, model: e.model.name, method: e.run.kind.rawValue, instance: e.run.instance,
                run: e.run.id, params: e.run.params, sweep: e.run.sweep, target: s.target, map: map, mapShape: mapShape,
                overlay: overlay, scale: scale, pictures: pictures, arrays: arrays, scalars: s.scalars, legend: s.legend,
                metrics: metrics, seconds: ex.meta.seconds / share, cached: cachedThisRun(explainID), key: ex.key.hex,
                task: explainID))
        }

        let failures = report.failures.map { f -> Manifest.Failure in
            let t = eg.graph[f.id]
            return Manifest.Failure(task: f.id, kind: t?.kind.rawValue ?? "", image: t?.labels["image"],
                                    model: t?.labels["model"], method: t?.labels["instance"],
                                    params: t?.params ?? [:], message: f.message)
        }
        let models = experiment.models.map { m in
            Manifest.Model(name: m.name, path: m.path, sha256: eg.modelHashes[m.name] ?? "", inputSize: m.inputSize,
                           targetLayer: m.targetLayer, classCount: (try? backend.labels(model: m).count) ?? 0)
        }
        let manifest = Manifest(name: experiment.name, experiment: try JSONValue(encoding: experiment), models: models,
                                images: images, predictions: predictions, results: results, failures: failures)
        try removeStale(keeping: written)
        try manifest.write(to: folder)
        return manifest
    }

    /// Output folders the runner owns; files in them that the new manifest does not list are removed.
    static let ownedFolders = ["inputs", "maps", "overlays", "pictures"]

    private func removeStale(keeping: Set<String>) throws {
        let fm = FileManager.default
        for top in Self.ownedFolders {
            let root = folder.appendingPathComponent(top)
            guard fm.fileExists(atPath: root.path) else { continue }
            for f in try CacheStore.listFiles(root) where !keeping.contains("\(top)/\(f)") {
                try? fm.removeItem(at: root.appendingPathComponent(f))
            }
        }
    }

    /// Puts a copy of `source` at `dest` atomically; a hard link when possible (same file system,
    /// no extra space), else a byte copy. Unchanged files are left alone.
    static func install(_ source: URL, at dest: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let a = try? fm.attributesOfItem(atPath: source.path)[.systemFileNumber] as? Int,
           let b = try? fm.attributesOfItem(atPath: dest.path)[.systemFileNumber] as? Int, a == b { return }
        let temp = dest.deletingLastPathComponent().appendingPathComponent(AtomicFile.temporaryName(for: dest.lastPathComponent))
        if link(source.path, temp.path) != 0 {
            do {
                try fm.copyItem(at: source, to: temp)
            } catch {
                throw OutputError.io(path: dest.path, operation: "copy from the cache", detail: error.localizedDescription)
            }
        }
        guard rename(temp.path, dest.path) == 0 else {
            let err = String(cString: strerror(errno))
            unlink(temp.path)
            throw OutputError.io(path: dest.path, operation: "move into place", detail: err)
        }
    }
}
