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
    /// The decoded images tasks read, each read from the cache once per runner.
    private let decoded = DecodedImageMemo()

    /// - Parameter folder: the output folder; defaults to the experiment's `outputDirectory`.
    ///   The cache lives next to it (`<folder>/../.cache`), shared by every experiment.
    public init(experiment: Experiment, backend: PipelineBackend, folder: URL? = nil) throws {
        var experiment = experiment
        experiment.models = try experiment.models.map { try backend.resolved(model: $0) }
        self.experiment = experiment
        self.backend = backend
        self.folder = folder ?? URL(fileURLWithPath: experiment.outputDirectory)
        self.cache = try CacheStore(outputs: self.folder.deletingLastPathComponent())
        self.hasher = FileHasher(memoURL: cache.root.appendingPathComponent("hash-memo.json"))
    }

    /// The experiment's task graph (hashing inputs once per runner).
    public func buildGraph() throws -> ExperimentGraph {
        let g = try ExperimentGraph(experiment: experiment, hasher: hasher, companions: backend.companionFiles)
        try? hasher.save()  // only a time saver
        return g
    }

    /// The dry run of `xai plan`: writes nothing but the hash memo.
    public func plan(force: Bool = false, only: [String] = []) throws -> Plan {
        let g = try buildGraph()
        return Plan(name: experiment.name, graph: g.graph, cache: cache, previous: PlanState.load(from: folder),
                    force: force, only: try TaskSelection.filter(only, in: g.graph))
    }

    /// Runs the experiment. Holds the output folder's lock throughout, and the cache's shared
    /// `CacheUseLock` so that `xai gc` removes no entry this run uses.
    public func run(_ options: RunOptions = RunOptions(), progress: ProgressReporter? = nil) throws -> RunResult {
        let lock = try OutputLock(folder: folder)
        defer { lock.unlock() }
        let cacheLock = try CacheUseLock(cache, mode: .shared)
        defer { cacheLock.unlock() }
        let eg = try buildGraph()
        let executor = Executor(cache: cache, options: options.executor, progress: progress, costs: TaskCost(eg))
        let report = executor.run(eg.graph, only: try TaskSelection.filter(options.only, in: eg.graph),
                                  verify: { t, e in try Self.validate(t, e, eg) },
                                  perform: { [self] ctx in try self.perform(ctx, eg) })
        let manifest = try assemble(eg, report)
        try PlanState(graph: eg.graph).save(to: folder)
        return RunResult(report: report, manifest: manifest, folder: folder)
    }

    // MARK: tasks

    /// Reads back a cached entry of `t` as its kind lays it out, every file checked, so that a
    /// damaged entry is recomputed before anything uses it.
    static func validate(_ t: TaskSpec, _ e: CachedEntry, _ eg: ExperimentGraph) throws {
        switch t.kind {
        case .decode: try DecodeEntry.validate(e)
        case .predict: _ = try PredictEntry.read(e)
        case .explain:
            let slots: [Int?] = eg.joints[t.id].map { j in j.members.indices.map { $0 } } ?? [nil]
            for slot in slots { _ = try ExplainEntry.read(e, slot: slot) }
        case .metric: _ = try MetricEntry.read(e)
        case .render: try RenderEntry.validate(e)
        }
    }

    func perform(_ ctx: TaskContext, _ eg: ExperimentGraph) throws -> (any Encodable)? {
        let t = ctx.task
        let out = ctx.outputDirectory
        if t.kind == .explain, let j = eg.joints[t.id] { return try performJoint(ctx, j) }
        guard let payload = eg.payloads[t.id] else {
            throw PlannerError.invalidValue(context: t.id, detail: "not a task of the experiment")
        }
        switch payload {
        case let .decode(task):
            return try DecodeEntry.write(backend.decode(image: task.image, model: task.model), to: out)
        case let .predict(task):
            let input = try decoded.image(ctx.dependency(task.decodeTask)).input
            let probabilities = try backend.predict(model: task.model, input: input)
            try Self.requireFinite(probabilities, t, model: task.model, image: t.labels["image"] ?? t.id,
                                   what: "the probabilities")
            try PredictEntry.write(probabilities, to: out)
        case let .explain(task):
            let image = try decoded.image(ctx.dependency(task.decodeTask))
            let target = try resolveTarget(rank: task.rank, model: task.model,
                                           probabilities: PredictEntry.read(ctx.dependency(task.predictTask)))
            let x = try backend.explain(run: task.run, model: task.model, targetLayer: task.targetLayer, image: image,
                                        target: target.index, seed: t.seed ?? 0, contentKey: task.contentKey,
                                        progress: { ctx.progress($0) })
            try Self.requireFinite(x, t, model: task.model, image: task.image.id, run: task.run)
            try ExplainEntry.write(x, target: target, to: out)
        case let .metric(task):
            let (x, target) = try ExplainEntry.read(ctx.dependency(task.explanation.task), slot: task.explanation.slot)
            var image = try decoded.image(ctx.dependency(task.decodeTask))
            image.cacheName = try ctx.dependency(task.predictTask).key.hex
            let value = try backend.metric(task.metric, run: task.run, model: task.model, image: image, explanation: x,
                                           annotation: experiment.annotation(for: task.image.id), target: target.index,
                                           seed: t.seed ?? 0)
            try Self.requireFinite([value.value] + (value.x ?? []) + (value.y ?? []) + (value.extra ?? [:]).values,
                                   t, model: task.model, image: task.image.id, what: "the values of metric \(task.metric.id)")
            try MetricEntry.write(value, to: out)
        case let .render(task):
            let (x, _) = try ExplainEntry.read(ctx.dependency(task.explanation.task), slot: task.explanation.slot)
            try RenderEntry.write(backend.render(map: x.map, signed: x.signed,
                                                 image: decoded.image(ctx.dependency(task.decodeTask)), run: task.run),
                                  to: out)
        }
        return nil
    }

    /// Explains every image of a joint task in one call and writes each image's files into its
    /// slot of the entry, each with its own target.
    private func performJoint(_ ctx: TaskContext, _ j: JointExplanation) throws -> (any Encodable)? {
        var images = [DecodedImage](), targets = [Manifest.Target]()
        for m in j.members {
            images.append(try decoded.image(ctx.dependency(m.decodeTask)))
            let p = try PredictEntry.read(ctx.dependency(m.predictTask))
            targets.append(try resolveTarget(rank: j.rank, model: j.model, probabilities: p))
        }
        let xs = try backend.explainJointly(run: j.run, model: j.model, targetLayer: j.targetLayer,
                                            images: images, targets: targets.map(\.index), seed: ctx.task.seed ?? 0,
                                            contentKeys: j.members.map(\.contentKey), progress: { ctx.progress($0) })
        guard xs.count == j.members.count else {
            throw PlannerError.invalidValue(context: j.task, detail: "\(xs.count) results for \(j.members.count) images")
        }
        for (slot, x) in xs.enumerated() {
            try Self.requireFinite(x, ctx.task, model: j.model, image: j.members[slot].image.id, run: j.run)
            try ExplainEntry.write(x, target: targets[slot], to: ctx.outputDirectory, slot: slot)
        }
        return nil
    }

    private func resolveTarget(rank: Int, model: ModelSpec, probabilities p: [Float]) throws -> Manifest.Target {
        let classes = try backend.classes(model: model)
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
            guard let i = classes.names.firstIndex(of: s) else {
                throw PlannerError.invalidValue(context: "target", detail: "model \(model.name) has no class labelled '\(s)'")
            }
            index = i
        }
        return Manifest.Target(index: index, label: classes.name(index), probability: Double(p[index]),
                               rank: (order.firstIndex(of: index) ?? 0) + 1)
    }
}
