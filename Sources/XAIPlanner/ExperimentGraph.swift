import Foundation
import XAICore
import XAIExperiment

/// The task graph of an experiment, with what each task is about.
///
/// Tasks per image and model: `decode` (read + resize + crop, shared by models with equal
/// preprocessing), `predict` (one forward pass, shared by every method), then per method run
/// and target rank `explain`, one `metric` per applicable metric, and `render` (the overlay).
/// Ids read `IMAGE/RUN` (`chelsea/occlusion@stride=8,window=16`), with the model inserted
/// (`IMAGE/MODEL/RUN`) when the experiment compares several, and `#2`, `#3` appended for the
/// lower ranks of `top_k`. A joint run (`dff` with `joint: true`) has one explain task over all
/// images (`*/RUN`, see `JointExplanation`) instead of one per image; its overlays and metrics
/// stay per image. Metrics that read ground truth (localisation) have the image's boxes and
/// mask hash in their keys.
public struct ExperimentGraph: Sendable {
    /// What one explanation is: the unit of the manifest's `results`.
    public struct Explanation: Sendable, Equatable {
        public var image: ImageSpec
        public var model: ModelSpec
        public var run: MethodRun
        /// 1 = the top prediction (or the fixed target), 2 = the second with `top_k`, ...
        public var rank: Int
        public var decodeTask: String
        public var predictTask: String
        public var explainTask: String
        public var renderTask: String
        /// Metric id -> metric task id.
        public var metricTasks: [String: String]
        /// For a joint explanation (`dff` with `joint: true`): this image's place among the joint
        /// task's images; its files sit under `JointExplanation.folder(slot)` in that task's entry.
        public var jointSlot: Int? = nil
    }

    public let experiment: Experiment
    public internal(set) var graph = TaskGraph()
    /// Explanations in manifest order (image, model, run, rank).
    public private(set) var explanations: [Explanation] = []
    /// Content hashes of the model files and images, by model name / image id.
    public private(set) var modelHashes: [String: String] = [:]
    public private(set) var imageHashes: [String: String] = [:]
    /// Content hashes of annotation mask files, by image id.
    public private(set) var maskHashes: [String: String] = [:]
    /// Joint explanation tasks (one per model, joint method run and rank) by task id.
    public private(set) var joints: [String: JointExplanation] = [:]

    /// Version of the decode, predict and render code, part of their cache keys.
    public static let decodeVersion = 1, predictVersion = 1, renderVersion = 1

    /// Builds the graph, hashing every model file and image once (through `hasher`).
    public init(experiment: Experiment, hasher: FileHasher) throws {
        self.experiment = experiment
        for m in experiment.models {
            let hash = try hasher.sha256(file: URL(fileURLWithPath: m.path))
            try m.verify(sha256: hash)
            modelHashes[m.name] = hash
        }
        for i in experiment.images {
            imageHashes[i.id] = try hasher.sha256(file: URL(fileURLWithPath: i.path))
        }
        for a in experiment.annotations {
            if let mask = a.mask { maskHashes[a.imageID] = try hasher.sha256(file: URL(fileURLWithPath: mask)) }
        }
        let several = experiment.models.count > 1
        let seed = UInt64(truncatingIfNeeded: experiment.seed)
        let ranks = Self.ranks(experiment)
        // Decode and predict first: a joint task reads every image's.
        var stages = [String: (decode: String, predict: String)]()
        for image in experiment.images {
            for model in experiment.models {
                let prefix = several ? "\(image.id)/\(model.name)" : image.id
                let labels = ["image": image.id, "model": model.name]
                let p = model.preprocess
                let decode = try graph.add(
                    id: "\(prefix)/decode", kind: .decode,
                    params: ["resize": "\(p.resize)", "crop": "\(p.crop)",
                             "mean": p.mean.map { "\($0)" }.joined(separator: ","),
                             "std": p.std.map { "\($0)" }.joined(separator: ",")],
                    inputs: ["image": imageHashes[image.id]!], version: Self.decodeVersion, labels: labels)
                let predict = try graph.add(
                    id: "\(prefix)/predict", kind: .predict, inputs: ["model": modelHashes[model.name]!],
                    dependencies: [decode], version: Self.predictVersion, resource: .engine, labels: labels)
                stages[Self.stageKey(image.id, model.name)] = (decode, predict)
            }
        }
        var jointIDs = [String: String]()
        for model in experiment.models {
            for run in experiment.runs where Self.isJoint(run) {
                for rank in 1...(run.descriptor.usesTarget ? ranks : 1) {
                    let j = try addJoint(model: model, run: run, rank: rank, several: several, seed: seed, stages: stages)
                    jointIDs[Self.jointKey(model.name, run.id, rank)] = j.task
                    joints[j.task] = j
                }
            }
        }
        for image in experiment.images {
            for model in experiment.models {
                let prefix = several ? "\(image.id)/\(model.name)" : image.id
                let (decode, predict) = stages[Self.stageKey(image.id, model.name)]!
                for run in experiment.runs {
                    // A method that ignores the class runs once, for the top one.
                    for rank in 1...(run.descriptor.usesTarget ? ranks : 1) {
                        let e: Explanation
                        if let jid = jointIDs[Self.jointKey(model.name, run.id, rank)], let j = joints[jid] {
                            e = try addJointMember(j, image: image, prefix: prefix, decode: decode, predict: predict)
                        } else {
                            e = try addExplanation(image: image, model: model, run: run, rank: rank, prefix: prefix,
                                                   modelHash: modelHashes[model.name]!, seed: seed, decode: decode,
                                                   predict: predict)
                        }
                        explanations.append(e)
                    }
                }
            }
        }
    }

    static func stageKey(_ image: String, _ model: String) -> String { "\(image)\u{0}\(model)" }
    static func jointKey(_ model: String, _ run: String, _ rank: Int) -> String { "\(model)\u{0}\(run)\u{0}\(rank)" }

    static func ranks(_ e: Experiment) -> Int {
        if case .predicted = e.target { return max(1, e.topK) }
        return 1
    }

    private mutating func addExplanation(image: ImageSpec, model: ModelSpec, run: MethodRun, rank: Int, prefix: String,
                                         modelHash: String, seed: UInt64, decode: String,
                                         predict: String) throws -> Explanation {
        let params = explainParams(run: run, model: model, rank: rank)
        let labels = ["image": image.id, "model": model.name, "method": run.kind.rawValue,
                      "instance": run.instance, "run": run.id]
        let suffix = rank > 1 ? "#\(rank)" : ""
        let explain = try graph.add(
            id: "\(prefix)/\(run.id)\(suffix)", kind: .explain, params: params, seed: seed,
            inputs: ["model": modelHash], dependencies: [decode, predict], version: run.descriptor.version,
            resource: .engine, labels: labels)
        // Display parameters (colormap, alpha) only affect the overlay, so changing them re-renders
        // without recomputing the explanation.
        let display = Self.displayParams(run)
        let render = try graph.add(
            id: "\(prefix)/\(run.id)\(suffix)/overlay", kind: .render, params: display,
            dependencies: [explain, decode], version: Self.renderVersion, labels: labels)
        let metricTasks = try addMetrics(run: run, image: image, model: model, idBase: "\(prefix)/\(run.id)\(suffix)",
                                         labels: labels, dependencies: [explain, decode, predict])
        return Explanation(image: image, model: model, run: run, rank: rank, decodeTask: decode, predictTask: predict,
                           explainTask: explain, renderTask: render, metricTasks: metricTasks)
    }

    /// The key parameters of an explanation: the compute parameters (defaults included), the
    /// method, the target rule and rank, and the resolved target layer.
    func explainParams(run: MethodRun, model: ModelSpec, rank: Int) -> [String: String] {
        let specs = run.specs
        var params = Self.strings(run.params.computeOnly(specs))
        params["method"] = run.kind.rawValue
        params["target"] = experiment.target.description
        params["rank"] = "\(rank)"
        if run.descriptor.needsTargetLayer, let layer = experiment.targetLayer(for: run, model: model) {
            params["target_layer"] = layer
        }
        // A method that draws a picture itself (DFF's concepts, with `overlay_alpha`) makes those
        // display parameters part of the explanation's result too.
        for name in run.descriptor.displayParametersUsed { if let v = run.params[name] { params[name] = v.description } }
        return params
    }

    /// Display parameters (colormap, alpha): they only affect the overlay.
    static func displayParams(_ run: MethodRun) -> [String: String] {
        let specs = run.specs
        return strings(run.params.restricted(to: specs.filter { $0.role == .display }.map(\.name)))
    }

    /// Parameters as canonical strings for cache keys.
    static func strings(_ p: ResolvedParams) -> [String: String] {
        var out = [String: String]()
        for k in p.keys { out[k] = p[k]!.description }
        return out
    }

    /// A `--only` filter: a task is selected when its method instance, method kind, run id,
    /// image id or model name equals one of `names` (decode and predict tasks are pulled in as
    /// dependencies of selected tasks).
    public static func filter(_ names: [String]) -> (TaskSpec) -> Bool {
        let set = Set(names)
        return { t in
            ["instance", "method", "run", "image", "model", "metric"].contains { t.labels[$0].map(set.contains) ?? false }
        }
    }
}
