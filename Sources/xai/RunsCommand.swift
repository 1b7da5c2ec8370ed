import ArgumentParser
import Foundation
import XAICore
import XAIRuns

/// `xai runs`: the run history of an outputs folder, like `dvc exp show`.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs (every `xai run` is recorded in Outputs/.runs.sqlite); pin or unpin one.",
        subcommands: [RunsListCommand.self, RunsPinCommand.self, RunsUnpinCommand.self],
        defaultSubcommand: RunsListCommand.self)
}

/// Where the history lives.
struct OutputsOptions: ParsableArguments {
    @Option(help: "The outputs folder holding the cache and the run history.")
    var outputs: String = "Outputs"

    var url: URL { URL(fileURLWithPath: outputs) }

    /// The existing history (reading commands never create one).
    func store() throws -> RunStore {
        guard let store = try RunStore.existing(outputs: url) else {
            throw RunsError.noHistory(path: url.appendingPathComponent(RunStore.fileName).relativePath)
        }
        return store
    }
}

struct RunsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List runs, newest first.")

    @Argument(help: "Only the runs of this experiment (its name).")
    var name: String?
    @Option(help: "Show at most this many runs.")
    var limit: Int = 50
    @OptionGroup var outputsOptions: OutputsOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let runs = try RunStore.existing(outputs: outputsOptions.url)?.runs(experiment: name, limit: limit) ?? []
            guard !runs.isEmpty else {
                printOut(name.map { "no recorded runs of \($0)" } ?? "no recorded runs")
                return
            }
            printOut(RunTable.render(runs), terminator: "")
        }
    }
}

struct RunsPinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Pin a run: `xai gc` keeps its cache entries.")

    @OptionGroup var pin: PinArguments

    func run() throws { try reportingErrors { try pin.set(true) } }
}

struct RunsUnpinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin", abstract: "Unpin a run: `xai gc` may drop its cache entries again.")

    @OptionGroup var pin: PinArguments

    func run() throws { try reportingErrors { try pin.set(false) } }
}

/// The run `pin` and `unpin` act on.
struct PinArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("A run id (or an unambiguous prefix), an experiment name (its newest run) or NAME@GITREV.",
                                 valueName: "run"))
    var reference: String
    @OptionGroup var outputsOptions: OutputsOptions

    func set(_ pinned: Bool) throws {
        let store = try outputsOptions.store()
        let record = try store.resolve(reference, repository: URL(fileURLWithPath: "."))
        try store.setPinned(pinned, id: record.id)
        printOut("\(pinned ? "pinned" : "unpinned") run \(record.id) (\(record.experiment))")
    }
}

/// The table of `xai runs`: one line per run, columns padded to their widest cell.
enum RunTable {
    static let header = ["id", "when", "experiment", "git", "tasks", "cached", "failed", "seconds", "pinned", "overrides"]

    static func render(_ runs: [RunRecord]) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let rows = runs.map { r in
            [r.id, formatter.string(from: r.startedAt), r.experiment, r.shortRevision, String(r.taskCount),
             String(r.cachedCount), String(r.failedCount), String(format: "%.1f", r.seconds), r.pinned ? "yes" : "",
             r.overrides.joined(separator: " ")].map(TerminalText.sanitize)
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([header] + rows).map(line).joined(separator: "\n") + "\n"
    }
}
