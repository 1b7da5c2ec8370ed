import Foundation
import XAIManifest
import XAICore
import XAIExperiment

extension ExperimentRunner {
    /// Copies the results of `experimentGraph` from the cache into the output folder, removes
    /// files there that no result refers to any more, and writes `manifest.json`.
    func assemble(_ experimentGraph: ExperimentGraph, _ report: ExecutionReport) throws -> Manifest {
        var written = Set<String>()
        func place(_ source: CachedEntry, _ path: String, as relative: String) throws -> String {
            try install(source.data(path), at: folder.appendingPathComponent(relative))
            written.insert(relative)
            return relative
        }
        func entry(_ id: String) -> CachedEntry? { report.outcomes[experimentGraph.graph.resolve(id)]?.entry }
        let several = experiment.models.count > 1

        var images = [Manifest.Image]()
        var predictions = [Manifest.Prediction]()
        for image in experiment.images {
            var inputs = [String: String]()
            var size = DecodeEntry.Metadata(width: 0, height: 0)
            for model in experiment.models {
                guard let stage = experimentGraph.stage(image: image.id, model: model.name),
                      let decoded = entry(stage.decode) else { continue }
                size = try DecodeEntry.metadata(decoded)
                let picture = DecodeEntry.picture(decoded)
                inputs[model.name] = try place(decoded, picture.path, as: "inputs/\(image.id)/\(model.name).\(picture.fileExtension)")
                if let predicted = entry(stage.predict) {
                    let p = try PredictEntry.read(predicted)
                    let classes = try backend.classes(model: model)
                    let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
                    let top = order.prefix(max(5, experiment.topK)).enumerated().map { r, i in
                        Manifest.Target(index: i, label: classes.name(i), probability: Double(p[i]), rank: r + 1)
                    }
                    predictions.append(Manifest.Prediction(image: image.id, model: model.name, top: top))
                }
            }
            images.append(Manifest.Image(id: image.id, path: image.path, sha256: experimentGraph.imageHashes[image.id] ?? "",
                                         width: size.width, height: size.height, inputs: inputs))
        }

        var results = [Manifest.Result]()
        for explanation in experimentGraph.explanations {
            let explainID = experimentGraph.graph.resolve(explanation.explainTask)
            guard let explained = entry(explainID) else { continue }
            let paths = ExplainEntry.Paths(slot: explanation.jointSlot)
            let summary = try ExplainEntry.summary(explained, slot: explanation.jointSlot)
            let stem = explanation.outputStem(severalModels: several)
            let map = try place(explained, paths.map, as: "maps/\(stem).npy")
            var arrays = [String: String](), pictures = [String: String]()
            for a in summary.arrays { arrays[a] = try place(explained, paths.array(a), as: "maps/\(stem).\(a).npy") }
            for p in summary.pictures {
                pictures[p] = try place(explained, paths.picture(p), as: "pictures/\(stem).\(p).png")
            }
            var overlay: String?, scale: Manifest.Scale?
            if let rendered = entry(explanation.renderTask) {
                overlay = try place(rendered, RenderEntry.overlayFile, as: "overlays/\(stem).png")
                scale = try RenderEntry.scale(rendered)
            }
            var metrics = [String: Manifest.MetricValue]()
            for (id, task) in explanation.metricTasks {
                if let measured = entry(task) { metrics[id] = try MetricEntry.read(measured) }
            }
            let mapShape = try explained.array(paths.map).shape
            let run = explanation.run
            results.append(Manifest.Result(
                image: explanation.image.id, model: explanation.model.name, method: run.kind.rawValue,
                instance: run.instance, run: run.id, params: run.params, sweep: run.sweep, target: summary.target,
                map: map, mapShape: mapShape, overlay: overlay, scale: scale, pictures: pictures, arrays: arrays,
                scalars: summary.scalars, legend: summary.legend, metrics: metrics,
                key: explained.key.hex,
                task: explainID))
        }

        let failures = report.failures.map { f -> Manifest.Failure in
            let t = experimentGraph.graph[f.id]
            return Manifest.Failure(task: f.id, kind: t?.kind.rawValue ?? "", image: t?.labels["image"],
                                    model: t?.labels["model"], method: t?.labels["instance"],
                                    params: t?.params ?? [:], message: f.message)
        }
        let models = experiment.models.map { m in
            let classes = try? backend.classes(model: m)
            return Manifest.Model(name: m.name, path: m.path, sha256: experimentGraph.modelHashes[m.name] ?? "",
                                  inputSize: m.inputSize, targetLayer: m.targetLayer,
                                  classCount: classes?.classCount ?? 0, labels: classes?.note)
        }
        let manifest = Manifest(name: experiment.name, experiment: try JSONValue(encoding: experiment), models: models,
                                images: images, predictions: predictions, results: results, failures: failures)
        try removeStale(keeping: written)
        try manifest.write(to: folder)
        return manifest
    }

    /// Output folders the runner owns; files in them that the new manifest does not list are removed.
    static let ownedFolders = ["inputs", "maps", "overlays", "pictures"]

    /// Links among the outputs are removed as links (their targets are never listed or touched).
    private func removeStale(keeping: Set<String>) throws {
        for top in Self.ownedFolders {
            let root = folder.appendingPathComponent(top)
            guard try OutputTree.kind(of: root.path) == .folder else { continue }
            for f in try CacheStore.listFiles(root) where !keeping.contains("\(top)/\(f)") {
                unlink(root.appendingPathComponent(f).path)
            }
        }
    }

    /// The output root the experiment's folder lies in (`Outputs/`).
    var outputs: OutputTree { OutputTree(root: folder.deletingLastPathComponent()) }

    /// Writes `data` (a cache file's checked contents) to `dest` atomically. Outputs are copies,
    /// never links to cache files: a user editing an output must not change what the cache gives
    /// other experiments. A file that already holds `data` is left alone.
    func install(_ data: Data, at dest: URL) throws {
        try outputs.makeFolder(dest.deletingLastPathComponent())
        if try OutputTree.kind(of: dest.path) == .regularFile,
           (try? FileManager.default.attributesOfItem(atPath: dest.path)[.size] as? Int) == data.count,
           (try? Data(contentsOf: dest)) == data { return }
        try AtomicFile.write(data, to: dest)
    }
}
