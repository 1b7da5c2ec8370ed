import ArgumentParser
import Foundation
import XAICore
import XAIExperiment

/// `xai`: explain image classifiers from declarative experiment files.
struct XAICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xai",
        abstract: "Explain image classifiers: run explanation experiments described in YAML files.",
        discussion: """
            Typical use:
              xai run Experiments/quickstart.yaml     run an experiment, write Outputs/<name>/index.html
              xai plan Experiments/quickstart.yaml    show what would run and why
              xai predict Experiments/images/*.png     top-5 labels with the embedded model
              xai layers                               list tensors usable as target_layer
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, SlurmCommand.self, PlanCommand.self, ShowCommand.self, StatusCommand.self, GCCommand.self,
                      CompareCommand.self, RunsCommand.self, DiffCommand.self, ServeCommand.self, PredictCommand.self,
                      LayersCommand.self, MethodsCommand.self, MetricsCommand.self, BenchCommand.self])
}

/// Options shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A model card name in Weights/, a card .yaml file or an .onnx file.")
    var model: String = ExperimentLoader.defaultModel

    @Option(name: .long, help: "Folder holding the model cards.")
    var weights: String = WeightsFolder.defaultName
}

/// Turns library errors into messages and exit codes: 2 for invalid input files, 1 otherwise.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExperimentError {
        printError(error.description)
        throw ExitCode(2)
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

/// Writes a line to standard error; like all terminal output it is sanitised first
/// (`TerminalText`), since messages quote file names, YAML values and labels.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((TerminalText.sanitize(text) + "\n").utf8))
}

/// Writes to standard output, sanitised like `printError`. Commands print through this, never
/// through `print`.
func printOut(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((TerminalText.sanitize(text) + terminator).utf8))
}
