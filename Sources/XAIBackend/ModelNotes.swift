import XAIExperiment

/// What the CLI tells a user, once per model, about settings a model was not given.
public enum ModelNotes {
    /// Says which labels a model without its own is shown with; nil when it has its own.
    public static func labels(_ classes: ClassLabels, model spec: ModelSpec) -> String? {
        switch classes.origin {
        case .given:
            return nil
        case .imagenetDefault:
            return "model '\(spec.name)' has no labels and \(classes.classCount) outputs: using ImageNet-1k's "
                + "(\(spec.defaultLabelsFile ?? ModelSpec.imagenetLabelsFileName))"
        case .numbers:
            return "model '\(spec.name)' has no labels and \(classes.classCount) outputs (not \(ModelSpec.imagenetClassCount)): "
                + "classes are shown as numbers; give `labels:` (a file, one name per line) in a model card or the experiment"
        }
    }
}
