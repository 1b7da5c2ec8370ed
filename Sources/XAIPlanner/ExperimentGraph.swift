import Foundation
import XAICore
import XAIExperiment

/// The task graph of an experiment, with what each task is about.
///
/// Tasks per image and model: `decode` (read + resize + crop, shared by models with equal
/// preprocessing), `predict` (one forward pass, shared by every method), then per method run
/// and target rank `explain`, one `metric` per applicable metric, and `render` (the overlay);
/// `TaskID` names them. A joint run (`dff` with `joint: true`) has one explain task over all
/// images (see `JointExplanation`) instead of one per image; its overlays and metrics stay per
/// image. Metrics that read ground truth (localisation) have the image's boxes and mask hash in
/// their keys. Each task's typed payload is in `payloads`.
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
        /// task's images; its files sit in that slot's folder of the task's entry (`ExplainEntry`).
        public var jointSlot: Int? = nil

        /// Where the explanation's files are.
        public var source: ExplanationSource { ExplanationSource(task: explainTask, slot: jointSlot) }
    }

    public let experiment: Experiment
    public internal(set) var graph = TaskGraph()
    /// Explanations in manifest order (image, model, run, rank).
    public private(set) var explanations: [Explanation] = []
    /// Content hashes of the models (file and companion files) and images, by model name / image id.
    public private(set) var modelHashes: [String: String] = [:]
    /// Content hashes of the models' labels (the labels file's bytes, or the inline list), by
    /// model name; absent for a model without labels.
    public private(set) var labelHashes: [String: String] = [:]
    public private(set) var imageHashes: [String: String] = [:]
    /// Content hashes of annotation mask files, by image id.
    public private(set) var maskHashes: [String: String] = [:]
    /// Joint explanation tasks (one per model, joint method run and rank) by task id.
    public private(set) var joints: [String: JointExplanation] = [:]
    /// What each task computes, by task id (the id `TaskGraph.add` returned); joint explain tasks
    /// are in `joints`.
    public private(set) var payloads: [String: TaskPayload] = [:]
    /// Key inputs for the files each method run's parameters name, by run id.
    private(set) var parameterFiles: [String: [String: String]] = [:]
    /// The decode and predict tasks of each image under each model (`stageKey`).
    private var stages: [String: (decode: String, predict: String)] = [:]

    /// Version of the decode, predict and render code, part of their cache keys.
    public static let decodeVersion = 1, predictVersion = 1, renderVersion = 1

    /// Builds the graph, hashing every model file, image and file a method parameter names once
    /// (through `hasher`). `companions` lists the other files a model reads (its external data,
    /// `PipelineBackend.companionFiles`), part of the model's hash.
    public init(experiment: Experiment, hasher: FileHasher,
                companions: (ModelSpec) throws -> [String] = { _ in [] }) throws {
        self.experiment = experiment
        for m in experiment.models {
            let hash = try hasher.sha256(file: URL(fileURLWithPath: m.path))
            try m.verify(sha256: hash)
            modelHashes[m.name] = try Self.modelHash(fileHash: hash, companions: try companions(m), hasher: hasher)
            labelHashes[m.name] = try Self.labelsHash(m, hasher: hasher)
        }
        for i in experiment.images {
            imageHashes[i.id] = try hasher.sha256(file: URL(fileURLWithPath: i.path))
        }
        for a in experiment.annotations {
            if let mask = a.mask { maskHashes[a.imageID] = try hasher.sha256(file: URL(fileURLWithPath: mask)) }
        }
        for run in experiment.runs { parameterFiles[run.id] = try Self.parameterFileInputs(run, hasher: hasher) }
        let several = experiment.models.count > 1
        let seed = UInt64(truncatingIfNeeded: experiment.seed)
        let ranks = Self.ranks(experiment)
        // Decode and predict first: a joint task reads every image's.
        for image in experiment.images {
            for model in experiment.models {
                let ids = TaskID(image: image.id, model: model.name, severalModels: several)
                let labels = ["image": image.id, "model": model.name]
                let decodeTask = DecodeTask(image: image, model: model)
                let decode = try add(.decode(decodeTask), id: ids.decode, params: decodeTask.keyParams,
                                     inputs: ["image": imageHashes[image.id]!], version: Self.decodeVersion,
                                     labels: labels)
                let predict = try add(.predict(PredictTask(model: model, decodeTask: decode)), id: ids.predict,
                                      inputs: modelInputs(model), dependencies: [decode],
                                      version: Self.predictVersion, resource: .engine, labels: labels)
                stages[Self.stageKey(image.id, model.name)] = (decode, predict)
            }
        }
        var jointIDs = [String: String]()
        for model in experiment.models {
            for run in experiment.runs where Self.isJoint(run) {
                for rank in 1...(run.descriptor.usesTarget ? ranks : 1) {
                    let j = try addJoint(model: model, run: run, rank: rank, several: several, seed: seed)
                    jointIDs[Self.jointKey(model.name, run.id, rank)] = j.task
                    joints[j.task] = j
                }
            }
        }
        for image in experiment.images {
            for model in experiment.models {
                let ids = TaskID(image: image.id, model: model.name, severalModels: several)
                let (decode, predict) = stages[Self.stageKey(image.id, model.name)]!
                for run in experiment.runs {
                    // A method that ignores the class runs once, for the top one.
                    for rank in 1...(run.descriptor.usesTarget ? ranks : 1) {
                        let e: Explanation
                        if let jid = jointIDs[Self.jointKey(model.name, run.id, rank)], let j = joints[jid] {
                            e = try addJointMember(j, image: image, ids: ids, decode: decode, predict: predict)
                        } else {
                            e = try addExplanation(image: image, model: model, run: run, rank: rank, ids: ids,
                                                   seed: seed, decode: decode, predict: predict)
                        }
                        explanations.append(e)
                    }
                }
            }
        }
    }

    /// The inputs that identify `model` to a task that shows its labels (predictions, and
    /// explanations, whose targets and legends name classes): the model file's hash and its
    /// labels' hash, so that editing the labels recomputes what shows them.
    func modelInputs(_ model: ModelSpec) -> [String: String] {
        var inputs = ["model": modelHashes[model.name]!]
        inputs["labels"] = labelHashes[model.name]
        return inputs
    }

    /// The hash of `model`'s labels: the labels file's bytes (or the ImageNet-1k default's), or
    /// the inline list as JSON; nil when it has none.
    static func labelsHash(_ model: ModelSpec, hasher: FileHasher) throws -> String? {
        if let file = model.labelsFile ?? model.defaultLabelsFile { return try hasher.sha256(file: URL(fileURLWithPath: file)) }
        guard let labels = model.labels else { return nil }
        return ContentHash.sha256(try JSONEncoder().encode(labels))
    }

    static func stageKey(_ image: String, _ model: String) -> String { "\(image)\u{0}\(model)" }

    /// The decode and predict task ids of `image` under `model`.
    public func stage(image: String, model: String) -> (decode: String, predict: String)? {
        stages[Self.stageKey(image, model)]
    }

    /// Adds the task of `payload` and records the payload under the id the graph returns: when an
    /// equal task exists, that task's id, whose first payload stays the one that runs.
    mutating func add(_ payload: TaskPayload, id: String, params: [String: String] = [:], seed: UInt64? = nil,
                      inputs: [String: String] = [:], dependencies: [String] = [], version: Int,
                      resource: ResourceClass = .light, labels: [String: String]) throws -> String {
        let added = try graph.add(id: id, kind: payload.kind, params: params, seed: seed, inputs: inputs,
                                  dependencies: dependencies, version: version, resource: resource, labels: labels)
        if payloads[added] == nil { payloads[added] = payload }
        return added
    }
    static func jointKey(_ model: String, _ run: String, _ rank: Int) -> String { "\(model)\u{0}\(run)\u{0}\(rank)" }

    static func ranks(_ e: Experiment) -> Int {
        if case .predicted = e.target { return max(1, e.topK) }
        return 1
    }

    private mutating func addExplanation(image: ImageSpec, model: ModelSpec, run: MethodRun, rank: Int, ids: TaskID,
                                         seed: UInt64, decode: String, predict: String) throws -> Explanation {
        let params = explainParams(run: run, model: model, rank: rank)
        let labels = ["image": image.id, "model": model.name, "method": run.kind.rawValue,
                      "instance": run.instance, "run": run.id]
        let id = ids.explanation(run: run.id, rank: rank)
        let modelHash = modelHashes[model.name]!
        let task = ExplainTask(image: image, model: model, run: run, rank: rank, targetLayer: params["target_layer"],
                               decodeTask: decode, predictTask: predict,
                               contentKey: "\(modelHash)-\(imageHashes[image.id]!)")
        let inputs = modelInputs(model).merging(parameterFiles[run.id] ?? [:]) { a, _ in a }
        let explain = try add(.explain(task), id: id, params: params, seed: seed, inputs: inputs,
                              dependencies: [decode, predict], version: run.descriptor.version, resource: .engine,
                              labels: labels)
        let source = ExplanationSource(task: explain, slot: nil)
        // Display parameters (colormap, alpha) only affect the overlay, so changing them re-renders
        // without recomputing the explanation.
        let render = try add(.render(RenderTask(run: run, explanation: source, decodeTask: decode)),
                             id: TaskID.overlay(of: id), params: Self.displayParams(run),
                             dependencies: [explain, decode], version: Self.renderVersion, labels: labels)
        let metricTasks = try addMetrics(run: run, image: image, model: model, explanation: source, explanationID: id,
                                         labels: labels, decode: decode, predict: predict)
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
}
