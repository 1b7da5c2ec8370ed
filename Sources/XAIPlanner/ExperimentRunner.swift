import Foundation
import XAIManifest
import XAICore
import XAIExperiment

/// Options of `xai run`.
public struct RunOptions: Sendable {
    public var executor: ExecutorOptions
    /// `--only`: method instances, kinds, run ids, images or models to (re)compute.
    public var only: [String]

    public init(executor: ExecutorOptions = ExecutorOptions(), only: [String] = []) {
        self.executor = executor
        self.only = only
    }
}

/// What `ExperimentRunner.run` did.
public struct RunResult: Sendable {
    public var report: ExecutionReport
    public var manifest: Manifest
    /// The output folder (`Outputs/<name>`).
    public var folder: URL
}

/// Plans and runs an experiment: builds its task graph, executes it through the cache, copies
/// the results into `Outputs/<name>/` and writes `manifest.json` and the plan state.
public final class ExperimentRunner: @unchecked Sendable {
    public let experiment: Experiment
    public let backend: PipelineBackend
    /// `Outputs/<name>`.
    public let folder: URL
    public let cache: CacheStore
    public let hasher: FileHasher

    /// - Parameter folder: the output folder; defaults to the experiment's `outputDirectory`.
    ///   The cache lives next to it (`<folder>/../.cache`), shared by every experiment.
    public init(experiment: Experiment, backend: PipelineBackend, folder: URL? = nil) throws {
        self.experiment = experiment
        self.backend = backend
        self.folder = folder ?? URL(fileURLWithPath: experiment.outputDirectory)
        self.cache = try CacheStore(outputs: self.folder.deletingLastPathComponent())
        self.hasher = FileHasher(memoURL: cache.root.appendingPathComponent("hash-memo.json"))
    }

    /// The experiment's task graph (hashing inputs once per runner).
    public func buildGraph() throws -> ExperimentGraph {
        let g = try ExperimentGraph(experiment: experiment, hasher: hasher)
        try? hasher.save()  // only a time saver
        return g
    }

    /// The dry run of `xai plan`: writes nothing but the hash memo.
    public func plan(force: Bool = false, only: [String] = []) throws -> Plan {
        let g = try buildGraph()
        return Plan(name: experiment.name, graph: g.graph, cache: cache, previous: PlanState.load(from: folder),
                    force: force, only: only.isEmpty ? nil : ExperimentGraph.filter(only))
    }

    /// Runs the experiment. Holds the output folder's lock throughout.
    public func run(_ options: RunOptions = RunOptions(), progress: ProgressReporter? = nil) throws -> RunResult {
        let lock = try OutputLock(folder: folder)
        defer { lock.unlock() }
        let eg = try buildGraph()
        let executor = Executor(cache: cache, options: options.executor, progress: progress)
        let report = executor.run(eg.graph, only: options.only.isEmpty ? nil : ExperimentGraph.filter(options.only)) {
            [self] ctx in try self.perform(ctx, eg)
        }
        let manifest = try assemble(eg, report)
        try PlanState(graph: eg.graph).save(to: folder)
        return RunResult(report: report, manifest: manifest, folder: folder)
    }

    // MARK: tasks

    private func perform(_ ctx: TaskContext, _ eg: ExperimentGraph) throws -> [String: String] {
        let t = ctx.task
        let out = ctx.outputDirectory
        if t.kind == .explain, let j = eg.joints[t.id] { return try performJoint(ctx, j, eg) }
        guard let image = experiment.images.first(where: { $0.id == t.labels["image"] }),
              let model = experiment.models.first(where: { $0.name == t.labels["model"] }) else {
            throw PlannerError.invalidValue(context: t.id, detail: "task names no known image and model")
        }
        switch t.kind {
        case .decode:
            let d = try backend.decode(image: image, model: model)
            try NPY.encode(d.cropped).write(to: out.appendingPathComponent("cropped.npy"))
            try NPY.encode(d.input).write(to: out.appendingPathComponent("input.npy"))
            try d.preview?.write(to: out.appendingPathComponent("input.png"))
            return ["width": "\(d.originalWidth)", "height": "\(d.originalHeight)"]
        case .predict:
            let d = try decoded(ctx, t.dependencies[0])
            let p = try backend.predict(model: model, input: d.input)
            try NPY.encode(Tensor(shape: [p.count], data: p)).write(to: out.appendingPathComponent("probabilities.npy"))
            return [:]
        case .explain:
            guard let e = eg.explanations.first(where: { $0.explainTask == t.id }) else {
                throw PlannerError.invalidValue(context: t.id, detail: "not an explanation of the experiment")
            }
            let d = try decoded(ctx, e.decodeTask)
            let target = try resolveTarget(rank: e.rank, model: e.model,
                                           probabilities: try NPY.read(ctx.dependency(e.predictTask).url("probabilities.npy")).data)
            let x = try backend.explain(run: e.run, model: model, targetLayer: t.params["target_layer"], image: d,
                                        target: target.index, seed: t.seed ?? 0,
                                        contentKey: "\(eg.modelHashes[model.name]!)-\(eg.imageHashes[image.id]!)",
                                        progress: { ctx.progress($0) })
            try checkFinite(x, t, image: image.id, method: e.run.kind)
            try ExplanationFiles.write(x, target: target, to: out)
            return ["target": "\(target.index)"]
        case .metric:
            guard let e = eg.explanations.first(where: { $0.metricTasks.values.contains(t.id) }),
                  let id = e.metricTasks.first(where: { $0.value == t.id })?.key,
                  let spec = experiment.metrics.first(where: { $0.id == id }) else {
                throw PlannerError.invalidValue(context: t.id, detail: "not a metric of the experiment")
            }
            let (x, target) = try ExplanationFiles.read(ctx.dependency(e.explainTask), base: e.filesBase)
            let v = try backend.metric(spec, run: e.run, model: model, image: try decoded(ctx, e.decodeTask),
                                       explanation: x, annotation: experiment.annotation(for: image.id),
                                       target: target.index, seed: t.seed ?? 0)
            try JSONEncoder.sorted.encode(v).write(to: out.appendingPathComponent("metric.json"))
            return [:]
        case .render:
            guard let e = eg.explanations.first(where: { $0.renderTask == t.id }) else {
                throw PlannerError.invalidValue(context: t.id, detail: "not an overlay of the experiment")
            }
            let (x, _) = try ExplanationFiles.read(ctx.dependency(e.explainTask), base: e.filesBase)
            let r = try backend.render(map: x.map, signed: x.signed, image: try decoded(ctx, e.decodeTask), run: e.run)
            try r.png.write(to: out.appendingPathComponent("overlay.png"))
            try JSONEncoder.sorted.encode(r.scale).write(to: out.appendingPathComponent("scale.json"))
            return [:]
        case .gallery:
            throw PlannerError.invalidValue(context: t.id, detail: "the gallery is written after the run")
        }
    }

    private func decoded(_ ctx: TaskContext, _ id: String) throws -> DecodedImage {
        let e = try ctx.dependency(id)
        return DecodedImage(originalWidth: Int(e.meta.info["width"] ?? "") ?? 0,
                            originalHeight: Int(e.meta.info["height"] ?? "") ?? 0,
                            cropped: try NPY.read(e.url("cropped.npy")), input: try NPY.read(e.url("input.npy")))
    }

    /// Explains every image of a joint task in one call and writes each image's files into its
    /// slot folder (`images/<slot>/`), each with its own target.
    private func performJoint(_ ctx: TaskContext, _ j: JointExplanation, _ eg: ExperimentGraph) throws -> [String: String] {
        var images = [DecodedImage](), targets = [Manifest.Target](), keys = [String]()
        for m in j.members {
            images.append(try decoded(ctx, m.decodeTask))
            let p = try NPY.read(ctx.dependency(m.predictTask).url("probabilities.npy")).data
            targets.append(try resolveTarget(rank: j.rank, model: j.model, probabilities: p))
            keys.append("\(eg.modelHashes[j.model.name]!)-\(eg.imageHashes[m.image.id]!)")
        }
        let xs = try backend.explainJointly(run: j.run, model: j.model, targetLayer: ctx.task.params["target_layer"],
                                            images: images, targets: targets.map(\.index), seed: ctx.task.seed ?? 0,
                                            contentKeys: keys, progress: { ctx.progress($0) })
        guard xs.count == j.members.count else {
            throw PlannerError.invalidValue(context: j.task, detail: "\(xs.count) results for \(j.members.count) images")
        }
        for (slot, x) in xs.enumerated() {
            try checkFinite(x, ctx.task, image: j.members[slot].image.id, method: j.run.kind)
            try ExplanationFiles.write(x, target: targets[slot],
                                       to: ctx.outputDirectory.appendingPathComponent(JointExplanation.folder(slot)))
        }
        return ["images": "\(xs.count)"]
    }

    private func checkFinite(_ x: ExplanationData, _ t: TaskSpec, image: String, method: MethodKind) throws {
        guard x.map.data.allSatisfy({ $0.isFinite }) else {
            throw PlannerError.invalidValue(context: "\(t.id) (image \(image), \(method.rawValue) \(t.canonicalParams))",
                                            detail: "the attribution map contains NaN or infinite values")
        }
    }

    private func resolveTarget(rank: Int, model: ModelSpec, probabilities p: [Float]) throws -> Manifest.Target {
        let labels = try backend.labels(model: model)
        func label(_ i: Int) -> String { i < labels.count ? labels[i] : "class \(i)" }
        let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        let index: Int
        switch experiment.target {
        case .predicted:
            guard rank <= order.count else {
                throw PlannerError.invalidValue(context: "top_k", detail: "the model has only \(order.count) classes")
            }
            index = order[rank - 1]
        case let .index(i):
            guard i >= 0, i < p.count else {
                throw PlannerError.invalidValue(context: "target", detail: "class \(i) is out of range (the model has \(p.count) classes)")
            }
            index = i
        case let .label(s):
            guard let i = labels.firstIndex(of: s) else {
                throw PlannerError.invalidValue(context: "target", detail: "model \(model.name) has no class labelled '\(s)'")
            }
            index = i
        }
        return Manifest.Target(index: index, label: label(index), probability: Double(p[index]),
                               rank: (order.firstIndex(of: index) ?? 0) + 1)
    }
}

extension JSONEncoder {
    /// Sorted keys, no escaped slashes: stable bytes for files that are compared or hashed.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
