import XAIExperiment
import XAIONNX

/// Fills in the target layer of models an experiment gives none, for methods that need one
/// (CAM family, DFF, Deep Dream): `CAMTarget.suggestion`, the last spatial activation before
/// global pooling, which `xai layers` marks.
public enum SuggestedTargetLayers {
    /// Sets `targetLayer` of each model that lacks one where some run needs it, and returns one
    /// note per model saying which layer was chosen (for the CLI to print). Throws the
    /// loader's error for a model that has no spatial activation to suggest.
    public static func apply(to experiment: inout Experiment, load: (ModelSpec) throws -> LoadedModel) throws -> [String] {
        var notes: [String] = []
        var diagnostics: [ExperimentDiagnostic] = []
        for i in experiment.models.indices where experiment.models[i].targetLayer == nil {
            let spec = experiment.models[i]
            let needing = experiment.runs.filter { run in
                guard let key = run.descriptor.layerParameter(run.params) else { return false }
                return (run.params[key]?.stringValue ?? "").isEmpty
            }
            guard let first = needing.first else { continue }
            let model = try load(spec)
            guard let layer = model.suggestedTargetLayer else {
                let key = first.descriptor.layerParameter(first.params) ?? "target_layer"
                diagnostics.append(experiment.diagnostic(at: "methods.\(first.instance)",
                    "\(first.instance) (\(first.kind.rawValue)) needs a target layer but model '\(spec.name)' has none and no "
                    + "spatial activation to suggest; set `target_layer:` at the top level, in the model or its card, or "
                    + "`\(key):` in the method (`xai layers` lists the names)"))
                continue
            }
            experiment.models[i].targetLayer = layer
            notes.append("model '\(spec.name)' names no target_layer: using the suggested '\(layer)'"
                + (model.modulePath(of: layer).map { " (\($0))" } ?? "")
                + ", the last spatial activation before global pooling (`xai layers --model \(spec.path)` shows it)")
        }
        if !diagnostics.isEmpty { throw ExperimentError.invalid(diagnostics) }
        return notes
    }
}
