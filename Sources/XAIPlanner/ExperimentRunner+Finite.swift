import Foundation
import XAICore
import XAIExperiment

/// JSON and the cache hold finite numbers only: a task whose model, method or metric gives NaN
/// or an infinity fails, naming the model and the image, instead of being cached (and found
/// damaged on every later run) or stopping the manifest with an encoder error.
extension ExperimentRunner {
    /// Throws `PlannerError.nonFinite` unless every one of `values` is finite.
    static func requireFinite<S: Sequence>(_ values: S, _ t: TaskSpec, model: ModelSpec, image: String,
                                           what: String) throws where S.Element: BinaryFloatingPoint {
        guard values.allSatisfy({ $0.isFinite }) else {
            throw PlannerError.nonFinite(task: t.id, model: model.name, image: image, what: what)
        }
    }

    /// The attribution map and the scalars of an explanation by `run`.
    static func requireFinite(_ x: ExplanationData, _ t: TaskSpec, model: ModelSpec, image: String,
                              run: MethodRun) throws {
        let params = t.canonicalParams.isEmpty ? "" : " (\(t.canonicalParams))"
        try requireFinite(x.map.data, t, model: model, image: image,
                          what: "the attribution map of \(run.kind.rawValue)\(params)")
        try requireFinite(x.scalars.values, t, model: model, image: image,
                          what: "the scalars of \(run.kind.rawValue)\(params)")
    }
}
