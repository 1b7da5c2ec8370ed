import ArgumentParser
import Foundation
import XAIBackend
import XAICore
import XAIExperiment
import XAIMetrics
import XAIPlanner

/// Options shared by the commands that read an experiment file.
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a value, e.g. --set integrated_gradients.steps=32 (repeatable).", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(name: .long, help: "Folder holding the model cards.")
    var weights: String = WeightsFolder.defaultName

    /// Loads the experiment and prints the loader's notes (e.g. files a glob skipped) to stderr,
    /// with the suggested target layer filled in (and a note printed) for each model that names
    /// none where a method needs one.
    func load() throws -> Experiment {
        // Unknown target layers are found with the file's other problems, in one pass.
        let layers = EngineBackend()
        var experiment = try ExperimentLoader.load(path: file, catalogue: .standard, overrides: overrides,
                                                   weightsDirectory: WeightsFolder.resolve(weights),
                                                   check: { layers.targetLayerProblems($0) })
        for note in experiment.notes {
            printError("\(note.file):\(note.line):\(note.column): note: \(note.message)")
        }
        for note in try SuggestedTargetLayers.apply(to: &experiment, load: { try LoadedModel(spec: $0) }) {
            printError("note: \(note)")
        }
        return experiment
    }

    /// The runner with the production backend; model outputs shared between tasks live in the cache.
    /// Prints a note for each model shown without labels of its own.
    func runner(_ experiment: Experiment) throws -> ExperimentRunner {
        let folder = URL(fileURLWithPath: experiment.outputDirectory)
        let cacheRoot = folder.deletingLastPathComponent().appendingPathComponent(".cache")
        let backend = EngineBackend(intermediates: DiskIntermediateCache(cacheRoot: cacheRoot))
        try backend.checkTargetLayers(experiment)
        for model in experiment.models where model.labels == nil && model.labelsFile == nil {
            if let note = ModelNotes.labels(try backend.classes(model: model), model: model) { printError("note: \(note)") }
        }
        return try ExperimentRunner(experiment: experiment, backend: backend, folder: folder)
    }
}
