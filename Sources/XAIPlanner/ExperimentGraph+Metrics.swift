import Foundation
import XAICore
import XAIExperiment

extension ExperimentGraph {
    /// Adds one metric task per metric of the experiment that applies to `run`'s method.
    /// - Parameters:
    ///   - explanation: the explanation's files; a joint explanation's image slot is a key parameter.
    ///   - explanationID: the explanation's task id (`TaskID.metric` appends the metric's id).
    ///   - decode, predict: the image's decode and predict tasks, read besides the explanation.
    /// - Returns: metric id -> task id.
    mutating func addMetrics(run: MethodRun, image: ImageSpec, model: ModelSpec, explanation: ExplanationSource,
                             explanationID: String, labels: [String: String], decode: String,
                             predict: String) throws -> [String: String] {
        let seed = UInt64(truncatingIfNeeded: experiment.seed)
        var tasks = [String: String]()
        for m in experiment.metrics where m.descriptor.applies(to: run.descriptor) {
            var params = Self.strings(m.params).merging(explanation.keyParams) { a, _ in a }
            params["metric"] = m.kind.rawValue
            var inputs = ["model": modelHashes[model.name]!]
            if m.descriptor.needsAnnotations {
                let (p, i) = annotationKeyParts(image.id)
                params.merge(p) { a, _ in a }
                inputs.merge(i) { a, _ in a }
            }
            let task = MetricTask(metric: m, image: image, model: model, run: run, explanation: explanation,
                                  decodeTask: decode, predictTask: predict)
            tasks[m.id] = try add(.metric(task), id: TaskID.metric(m.id, of: explanationID), params: params, seed: seed,
                                  inputs: inputs, dependencies: [explanation.task, decode, predict],
                                  version: m.descriptor.version, resource: .engine,
                                  labels: labels.merging(["metric": m.id]) { a, _ in a })
        }
        return tasks
    }

    /// What a metric that reads ground truth depends on: the image's box coordinates (in file
    /// order, as exact decimal strings) as a parameter and its mask file's content hash as an
    /// input. Editing a box therefore changes the keys of those metrics and of nothing else;
    /// moving the mask file without changing its bytes changes nothing.
    func annotationKeyParts(_ imageID: String) -> (params: [String: String], inputs: [String: String]) {
        guard let a = experiment.annotation(for: imageID) else { return (["annotation": "none"], [:]) }
        let boxes = a.boxes.map { b in [b.x0, b.y0, b.x1, b.y1].map { "\($0)" }.joined(separator: ",") }
        var inputs = [String: String]()
        if let hash = maskHashes[imageID] { inputs["mask"] = hash }
        return (["boxes": boxes.map { "[\($0)]" }.joined(separator: ";")], inputs)
    }
}
