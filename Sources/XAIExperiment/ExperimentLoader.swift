import Foundation
import XAICore

/// Loads, validates and resolves experiment files.
///
/// Paths written in an experiment (images, models, labels, masks) are relative to
/// `baseDirectory` (default: the current directory, i.e. the repository root when `xai` runs
/// there), and are kept relative in the result so that manifests do not depend on where the
/// checkout lives. Only `extends:` paths are relative to the file that contains them. Model
/// card names are looked up as `<weightsDirectory>/<name>.yaml`; a card's own paths are
/// relative to the card.
public enum ExperimentLoader {
    /// The only file format version so far.
    public static let currentSchema = 1

    /// The model used when an experiment names none.
    public static let defaultModel = "efficientnet-lite0"

    /// Reads `path` (and its `extends:` bases), applies `overrides` (`KEY=VALUE`, see
    /// `Overrides`), validates everything against `catalogue` (the methods and metrics the caller
    /// implements) and returns the resolved experiment. Throws `ExperimentError.invalid` listing
    /// every problem found, each with its FILE:LINE:COLUMN.
    /// - Parameter check: further checks that need more than the file (e.g. that target layers
    ///   exist in the models); run on what could be resolved, even when the file has other
    ///   problems, so that they are reported in the same pass.
    public static func load(path: String, catalogue: Catalogue, overrides: [String] = [], weightsDirectory: String = "Weights",
                            baseDirectory: String? = nil, outputsRoot: String = "Outputs",
                            check: ((Experiment) -> [ExperimentDiagnostic])? = nil) throws -> Experiment {
        let sink = DiagnosticSink()
        var documents = DocumentLoader(sink: sink)
        guard var root = documents.load(path: path) else {
            try sink.throwIfAny()
            throw ExperimentError.invalid([ExperimentDiagnostic(SourceLocation(file: path, line: 1, column: 1), "cannot load the experiment")])
        }
        // A syntax error or a broken `extends:` leaves no document worth validating further; a
        // duplicate key does not.
        if sink.hasUnrecoverable { try sink.throwIfAny() }
        Overrides.apply(overrides, to: &root, sink: sink)
        let b = ExperimentBuilder(sink: sink, catalogue: catalogue, file: path, baseDirectory: baseDirectory,
                                  weightsDirectory: PathUtil.join(baseDirectory, weightsDirectory))
        let experiment = b.build(root, sourceFiles: documents.files, overrides: overrides,
                                 outputsRoot: PathUtil.join(baseDirectory, outputsRoot))
        if let experiment, let check {
            for d in check(experiment) { sink.error(d.location, d.message) }
        }
        try sink.throwIfAny()
        guard var experiment else {
            throw ExperimentError.invalid([ExperimentDiagnostic(SourceLocation(file: path, line: 1, column: 1), "cannot load the experiment")])
        }
        experiment.notes = sink.notes
        return experiment
    }

}

/// The state of one load: the diagnostics sink, path bases and the locations collected.
final class ExperimentBuilder {
    let sink: DiagnosticSink
    let catalogue: Catalogue
    let file: String
    let baseDirectory: String?
    let weightsDirectory: String
    var locations: [String: SourceLocation] = [:]
    /// The top-level entries (for locating settings).
    var top: [YAMLNode.Entry] = []
    /// The top-level `precision:` once checked against a parameter (nil when it did not fit).
    var defaultPrecision: (checked: Bool, value: ParamValue?) = (false, nil)

    init(sink: DiagnosticSink, catalogue: Catalogue, file: String, baseDirectory: String?, weightsDirectory: String) {
        self.sink = sink
        self.catalogue = catalogue
        self.file = file
        self.baseDirectory = baseDirectory
        self.weightsDirectory = weightsDirectory
    }

    var fileStart: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }

    func node(_ key: String) -> YAMLNode? { top.first { $0.key == key }?.value }

    /// A path from the experiment, resolved against the base directory.
    func resolve(_ p: String) -> String { PathUtil.join(baseDirectory, p) }

    /// The experiment as far as it resolves; nil only when the file is not a mapping. Problems
    /// are in `sink`: a caller must not use the result when it holds any.
    func build(_ root: YAMLNode, sourceFiles: [String], overrides: [String], outputsRoot: String) -> Experiment? {
        guard let entries = sink.mapping(root, "the experiment", allowed: ExperimentKeys.topLevel) else { return nil }
        top = entries
        for e in entries { locations[e.key] = e.value.location }

        var schema = ExperimentLoader.currentSchema
        if let s = node("schema"), let v = sink.int(s, "`schema`") {
            if v != ExperimentLoader.currentSchema {
                sink.error(s.location, "unsupported schema \(v); this version of xai reads schema \(ExperimentLoader.currentSchema)")
            }
            schema = v
        }
        let name = readName()
        let models = readModels()
        let images = readImages()
        let (target, topK) = readTarget(models: models)
        var seed = 0
        if let s = node("seed"), let v = sink.int(s, "`seed`", min: 0) { seed = v }
        let methods = readMethods()
        let annotations = readAnnotations(images: images)
        let metrics = readMetrics(hasAnnotations: !annotations.isEmpty)
        var maxTasks = TaskBudget.defaultLimit
        if let n = node("max_tasks"), let v = sink.int(n, "`max_tasks`", min: 1) { maxTasks = v }
        let budget = TaskBudget(images: images.count, models: models.count, topK: topK, metrics: metrics.count, limit: maxTasks)
        let (runs, axes) = expandSweeps(methods: methods, budget: budget)
        let finalMethods = methods.map { m -> MethodInstance in
            var m = m.instance
            m.sweptParams = Array(Set(runs.filter { $0.instance == m.name }.flatMap(\.sweep.keys))).sorted()
            return m
        }
        // A model without a target layer gets the suggested one once it is loaded
        // (XAIBackend's `SuggestedTargetLayers`), or an error there if it has none.
        checkClassNames(models: models, runs: runs)

        // Returned even when the file has problems: `ExperimentLoader.load` runs its further
        // checks on what resolved, then throws them all.
        return Experiment(schema: schema, name: name, file: file, sourceFiles: sourceFiles, overrides: overrides,
                          models: models, images: images, target: target, topK: topK, seed: seed, maxTasks: maxTasks,
                          methods: finalMethods, sweeps: axes, runs: runs, metrics: metrics, annotations: annotations,
                          outputDirectory: PathUtil.join(outputsRoot, name), locations: locations)
    }

    private func readName() -> String {
        guard let n = node("name") else {
            let stem = PathUtil.stem(file)
            if PathComponent.problem(stem) != nil {
                sink.error(fileStart, "no `name:` given and the file name '\(stem)' is not a plain folder name "
                           + "(\(PathComponentError.rule)); add `name:`")
            }
            locations["name"] = fileStart
            return stem
        }
        return sink.name(n, "`name`") ?? ""
    }

    private func readTarget(models: [ModelSpec]) -> (TargetSpec, Int) {
        var target = TargetSpec.predicted
        if let t = node("target") {
            switch t.paramValue {
            case .int(let i)?:
                if i < 0 { sink.error(t.location, "`target` class index must be >= 0, got \(i)") }
                target = .index(i)
            case .string(let s)? where s == "predicted":
                target = .predicted
            case .string(let s)?:
                target = .label(s)
            default:
                sink.error(t.location, "`target` must be `predicted`, a class index or a label, got \(t.kindDescription)")
            }
        }
        var topK = 1
        if let k = node("top_k"), let v = sink.int(k, "`top_k`", min: 1, max: 100) {
            topK = v
            if target != .predicted, v != 1 {
                sink.error(k.location, "`top_k` applies only to `target: predicted`; an explicit class is one target")
            }
        }
        return (target, topK)
    }
}
