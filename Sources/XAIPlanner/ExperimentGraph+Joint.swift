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
    }

    /// Id of the joint task: `*/RUN` (or `*/MODEL/RUN` with several models; `#2`... for lower
    /// ranks). Image ids never contain `*`, so it cannot collide with a per-image task.
    public var task: String
    public var model: ModelSpec
    public var run: MethodRun
    public var rank: Int
    /// The images in the task's order; `members[slot]`'s files live under `folder(slot)`.
    public var members: [Member]

    /// The folder of one image's files inside the joint task's cache entry.
    public static func folder(_ slot: Int) -> String { "images/\(slot)" }

    /// The slot of image `id`.
    public func slot(of id: String) -> Int? { members.firstIndex { $0.image.id == id } }
}

extension ExperimentGraph.Explanation {
    /// Where this explanation's files sit inside its explain task's cache entry: the entry's root,
    /// or the image's folder (with a trailing `/`) in a joint task's entry.
    public var filesBase: String { jointSlot.map { JointExplanation.folder($0) + "/" } ?? "" }
}

extension ExperimentGraph {
    /// Whether `run` is explained over all images at once.
    public static func isJoint(_ run: MethodRun) -> Bool {
        run.descriptor.isJoint(run.params)
    }

    /// Adds the joint task of (`model`, `run`, `rank`): it depends on every image's decode and
    /// predict tasks and its inputs list every image's content hash in the members' order.
    mutating func addJoint(model: ModelSpec, run: MethodRun, rank: Int, several: Bool, seed: UInt64,
                           stages: [String: (decode: String, predict: String)]) throws -> JointExplanation {
        let ordered = experiment.images.sorted {
            let (a, b) = (imageHashes[$0.id]!, imageHashes[$1.id]!)
            return a != b ? a < b : $0.id < $1.id
        }
        var inputs = ["model": modelHashes[model.name]!]
        // Zero-padded positions keep the canonical (sorted) encoding in the members' order.
        let width = String(ordered.count).count
        var members = [JointExplanation.Member]()
        var deps = [String]()
        for (i, image) in ordered.enumerated() {
            let position = String(repeating: "0", count: width - String(i).count) + String(i)
            inputs["image.\(position)"] = imageHashes[image.id]!
            let (decode, predict) = stages[Self.stageKey(image.id, model.name)]!
            members.append(JointExplanation.Member(image: image, decodeTask: decode, predictTask: predict))
            deps += [decode, predict]
        }
        var params = explainParams(run: run, model: model, rank: rank)
        params["images"] = "\(ordered.count)"
        let suffix = rank > 1 ? "#\(rank)" : ""
        let id = "*/" + (several ? "\(model.name)/" : "") + run.id + suffix
        let labels = ["model": model.name, "method": run.kind.rawValue, "instance": run.instance, "run": run.id,
                      "joint": "true"]
        let task = try graph.add(id: id, kind: .explain, params: params, seed: seed, inputs: inputs,
                                 dependencies: deps, version: run.descriptor.version, resource: .engine, labels: labels)
        return JointExplanation(task: task, model: model, run: run, rank: rank, members: members)
    }

    /// The per-image part of a joint explanation: its overlay and metric tasks, which read this
    /// image's slot of the joint task (the slot is a parameter, so two images with equal bytes
    /// still get their own overlay).
    mutating func addJointMember(_ j: JointExplanation, image: ImageSpec, prefix: String, decode: String,
                                 predict: String) throws -> Explanation {
        guard let slot = j.slot(of: image.id) else {
            throw PlannerError.invalidValue(context: j.task, detail: "image \(image.id) is not part of the joint task")
        }
        let labels = ["image": image.id, "model": j.model.name, "method": j.run.kind.rawValue,
                      "instance": j.run.instance, "run": j.run.id]
        let suffix = j.rank > 1 ? "#\(j.rank)" : ""
        var display = Self.displayParams(j.run)
        display["slot"] = "\(slot)"
        let render = try graph.add(
            id: "\(prefix)/\(j.run.id)\(suffix)/overlay", kind: .render, params: display,
            dependencies: [j.task, decode], version: Self.renderVersion, labels: labels)
        let metricTasks = try addMetrics(run: j.run, image: image, model: j.model, idBase: "\(prefix)/\(j.run.id)\(suffix)",
                                         labels: labels, dependencies: [j.task, decode, predict],
                                         extra: ["slot": "\(slot)"])
        return Explanation(image: image, model: j.model, run: j.run, rank: j.rank, decodeTask: decode,
                           predictTask: predict, explainTask: j.task, renderTask: render, metricTasks: metricTasks,
                           jointSlot: slot)
    }
}
