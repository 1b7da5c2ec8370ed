import XAICore

/// A validated experiment with everything resolved: defaults filled in, `extends:` merged,
/// `--set` overrides applied, globs expanded, model cards read and sweeps expanded into runs.
/// Built by `ExperimentLoader.load`; deterministic for the same files and arguments.
public struct Experiment: Codable, Sendable {
    public var schema: Int
    /// A plain folder name (`[A-Za-z0-9][A-Za-z0-9._+-]*`, at most 100 characters).
    public var name: String
    /// The experiment file as given to the loader.
    public var file: String
    /// Every file read: the experiment file first, then its `extends:` bases.
    public var sourceFiles: [String]
    /// The `--set` overrides applied, in order.
    public var overrides: [String]
    public var models: [ModelSpec]
    public var images: [ImageSpec]
    public var target: TargetSpec
    /// Number of top classes to explain with `target: predicted` (1 otherwise).
    public var topK: Int
    public var seed: Int
    /// The most tasks the experiment may make (`max_tasks:`, default `TaskBudget.defaultLimit`).
    public var maxTasks: Int
    /// Method instances in file order.
    public var methods: [MethodInstance]
    /// The sweep's axes in file order (one per swept key or `zip:` group); empty without a sweep.
    public var sweeps: [SweepAxis]
    /// The sweep-expanded runs: for each instance in order, its sweep points (first axis outermost).
    public var runs: [MethodRun]
    public var metrics: [MetricSpec]
    /// Ground truth, sorted by image id.
    public var annotations: [Annotation]
    /// `Outputs/<name>` (under the loader's `outputsRoot`).
    public var outputDirectory: String
    /// Where settings were written, for errors found later (e.g. an unknown target layer once the
    /// model is loaded). Keys: `name`, `target`, `seed`, `top_k`, `images`, `images.<id>`,
    /// `models.<name>`, `models.<name>.target_layer`, `methods.<instance>`,
    /// `methods.<instance>.<param>`, `sweep.<instance>.<param>`, `metrics.<id>`, `annotations.<id>`.
    public var locations: [String: SourceLocation]
    /// What the loader decided or left out that the user should hear about but that is not an
    /// error (files a glob skipped, ...), in file order. The CLI prints them as notes.
    public var notes: [ExperimentDiagnostic] = []

    /// The location recorded for `key`, else for its closest recorded parent (`a.b.c` -> `a.b`
    /// -> `a`), else the start of the experiment file.
    public func location(_ key: String) -> SourceLocation {
        var k = key
        while true {
            if let l = locations[k] { return l }
            guard let dot = k.lastIndex(of: ".") else { break }
            k = String(k[..<dot])
        }
        return SourceLocation(file: file, line: 1, column: 1)
    }

    /// A diagnostic at the location of `key` (see `location(_:)`), for checks made after loading.
    public func diagnostic(at key: String, _ message: String) -> ExperimentDiagnostic {
        ExperimentDiagnostic(location(key), message)
    }

    /// The target layer `run` uses on `model`: the run's `target_layer` (or, for Deep Dream and
    /// activation maximisation, `layer`) when set, else the model's. Nil when neither is set.
    public func targetLayer(for run: MethodRun, model: ModelSpec) -> String? {
        for key in ["target_layer", "layer"] {
            if let s = run.params[key]?.stringValue, !s.isEmpty { return s }
        }
        return model.targetLayer
    }

    /// The location to blame when `run`'s target layer is unknown in `model`.
    public func targetLayerLocation(for run: MethodRun, model: ModelSpec) -> SourceLocation {
        for key in ["target_layer", "layer"] {
            if let s = run.params[key]?.stringValue, !s.isEmpty {
                return locations["sweep.\(run.instance).\(key)"] ?? location("methods.\(run.instance).\(key)")
            }
        }
        return location("models.\(model.name).target_layer")
    }

    /// The instance called `name`.
    public func method(named name: String) -> MethodInstance? {
        methods.first { $0.name == name }
    }

    /// The annotation of image `id`, if any.
    public func annotation(for imageID: String) -> Annotation? {
        annotations.first { $0.imageID == imageID }
    }
}
