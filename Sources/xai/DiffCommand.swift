import ArgumentParser
import Foundation
import XAIDiff
import XAIPlanner
import XAIReport
import XAIRuns

/// `xai diff A B`: compare the explanations of two recorded runs.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs: rank correlation and top-k% overlap of each map, metric deltas, overlays.",
        discussion: """
            A and B are run ids (or unambiguous prefixes), experiment names (their newest run) or \
            NAME@GITREV (the newest run of NAME at that git revision). `xai diff NAME` alone compares \
            the two newest runs of NAME. Explanations pair up by image, \
            method run and target rank (and model, unless each run has a single, different model). \
            Writes Outputs/diffs/<A>..<B>/diff.json, diff.csv and diff.html.
            """)

    @Argument(help: "The run to compare from.")
    var a: String
    @Argument(help: "The run to compare to (default: with A an experiment name, its newest run, A its one before).")
    var b: String?
    @Option(help: "Percent of each map's values in its top region for the IoU.")
    var topK: Double = 10
    @Option(help: "Seed of the bootstrap intervals.")
    var seed: UInt64 = 0
    @OptionGroup var outputsOptions: OutputsOptions

    func validate() throws {
        guard topK > 0, topK <= 100 else { throw ValidationError("--top-k must be in (0, 100]") }
    }

    func run() throws {
        try reportingErrors {
            let store = try outputsOptions.store()
            let here = URL(fileURLWithPath: ".")
            let (ra, rb) = try resolve(store, repository: here)
            for id in [ra.id, rb.id] where !RunID.isWellFormed(id) {
                throw ValidationError("the run history holds a malformed run id '\(id)'")
            }
            let outputs = outputsOptions.url
            let folder = outputs.appendingPathComponent("diffs").appendingPathComponent("\(ra.id)..\(rb.id)")
            let diff = try RunDiff.compute(DiffSide(record: ra, store: store), DiffSide(record: rb, store: store),
                                           cache: CacheStore(outputs: outputs),
                                           options: DiffOptions(topK: topK, seed: seed), folder: folder)
            try diff.write(to: folder)
            printOut("A: \(ra.id) (\(ra.experiment))  B: \(rb.id) (\(rb.experiment))")
            for s in diff.summaries where s.quantity == "spearman" || s.quantity == "iou" {
                printOut("  \(s.run): \(s.quantity) \(NumberFormat.short(s.mean)) over \(s.count) image(s)")
            }
            if !diff.unmatched.isEmpty { printOut("  \(diff.unmatched.count) explanation(s) without a partner") }
            for file in [RunDiff.htmlFile, RunDiff.jsonFile, RunDiff.csvFile] {
                printOut("\(file): \(folder.appendingPathComponent(file).relativePath)")
            }
        }
    }

    /// The two runs: as given, or the two newest of experiment `a`.
    private func resolve(_ store: RunStore, repository: URL) throws -> (RunRecord, RunRecord) {
        if let b { return (try store.resolve(a, repository: repository), try store.resolve(b, repository: repository)) }
        let newest = try store.runs(experiment: a, limit: 2)
        guard newest.count == 2 else {
            throw RunsError.unknownRun(reference: a, hint: "with one argument, give an experiment with at least two "
                                       + "recorded runs (it has \(newest.count)); or give two runs")
        }
        return (newest[1], newest[0])
    }
}
