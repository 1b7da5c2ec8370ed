import Foundation
import XAICore
import XAIExperiment

/// One task that explains every image of the experiment together (DFF with `joint: true`:
/// one factorisation over all images, so a concept has the same colour in each).
///
/// The images are ordered by content hash (then id), which fixes both the order in which the
/// method sees them and the order of their hashes in the task's key: renaming or reordering the
/// image files keeps the key, and a changed image changes it.
public struct JointExplanation: Sendable, Equatable {
    /// One image of a joint task.
    public struct Member: Sendable, Equatable {
        public var image: ImageSpec
        public var decodeTask: String
        public var predictTask: String
        /// Names the (model file, image) pair for intermediate results that methods share.
        public var contentKey: String
    }

    /// Id of the joint task (`TaskID.joint`).
    public var task: String
    public var model: ModelSpec
    public var run: MethodRun
    public var rank: Int
    /// The target layer the task's key names; nil for methods that use none.
    public var targetLayer: String?
    /// The images in the task's order; `members[slot]`'s files live in slot `slot` of the
    /// task's entry (`ExplainEntry`).
    public var members: [Member]

    /// The slot of image `id`.
    public func slot(of id: String) -> Int? { members.firstIndex { $0.image.id == id } }
}

extension ExperimentGraph {
    /// Whether `run` is explained over all images at once.
    public static func isJoint(_ run: MethodRun) -> Bool {
        run.descriptor.isJoint(run.params)
    }

    /// Adds the joint task of (`model`, `run`, `rank`): it depends on every image's decode and
    /// predict tasks and its inputs list every image's content hash in the members' order.
    mutating func addJoint(model: ModelSpec, run: MethodRun, rank: Int, several: Bool,
                           seed: UInt64) throws -> JointExplanation {
        let ordered = experiment.images.sorted {
            let (a, b) = (imageHashes[$0.id]!, imageHashes[$1.id]!)
            return a != b ? a < b : $0.id < $1.id
        }
        let modelHash = modelHashes[model.name]!
        var inputs = modelInputs(model).merging(parameterFiles[run.id] ?? [:]) { a, _ in a }
        // Zero-padded positions keep the canonical (sorted) encoding in the members' order.
        let width = String(ordered.count).count
        var members = [JointExplanation.Member]()
        var deps = [String]()
        for (i, image) in ordered.enumerated() {
            let position = String(repeating: "0", count: width - String(i).count) + String(i)
            let imageHash = imageHashes[image.id]!
            inputs["image.\(position)"] = imageHash
            let (decode, predict) = stage(image: image.id, model: model.name)!
            members.append(JointExplanation.Member(image: image, decodeTask: decode, predictTask: predict,
                                                   contentKey: "\(modelHash)-\(imageHash)"))
            deps += [decode, predict]
        }
        var params = explainParams(run: run, model: model, rank: rank)
        params["images"] = "\(ordered.count)"
        let id = TaskID.joint(model: model.name, run: run.id, rank: rank, severalModels: several)
        let labels = ["model": model.name, "method": run.kind.rawValue, "instance": run.instance, "run": run.id,
                      "joint": "true"]
        let task = try graph.add(id: id, kind: .explain, params: params, seed: seed, inputs: inputs,
                                 dependencies: deps, version: run.descriptor.version, resource: .engine, labels: labels)
        return JointExplanation(task: task, model: model, run: run, rank: rank, targetLayer: params["target_layer"],
                                members: members)
    }

    /// The per-image part of a joint explanation: its overlay and metric tasks, which read this
    /// image's slot of the joint task (the slot is a parameter, so two images with equal bytes
    /// still get their own overlay).
    mutating func addJointMember(_ j: JointExplanation, image: ImageSpec, ids: TaskID, decode: String,
                                 predict: String) throws -> Explanation {
        guard let slot = j.slot(of: image.id) else {
            throw PlannerError.invalidValue(context: j.task, detail: "image \(image.id) is not part of the joint task")
        }
        let labels = ["image": image.id, "model": j.model.name, "method": j.run.kind.rawValue,
                      "instance": j.run.instance, "run": j.run.id]
        let id = ids.explanation(run: j.run.id, rank: j.rank)
        let source = ExplanationSource(task: j.task, slot: slot)
        let display = Self.displayParams(j.run).merging(source.keyParams) { _, slot in slot }
        let render = try add(.render(RenderTask(run: j.run, explanation: source, decodeTask: decode)),
                             id: TaskID.overlay(of: id), params: display, dependencies: [j.task, decode],
                             version: Self.renderVersion, labels: labels)
        let metricTasks = try addMetrics(run: j.run, image: image, model: j.model, explanation: source, explanationID: id,
                                         labels: labels, decode: decode, predict: predict)
        return Explanation(image: image, model: j.model, run: j.run, rank: j.rank, decodeTask: decode,
                           predictTask: predict, explainTask: j.task, renderTask: render, metricTasks: metricTasks,
                           jointSlot: slot)
    }
}
