import ArgumentParser
import Foundation
import XAIManifest
import XAIPlanner
import XAIReport
import XAIRuns

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: compute what is not cached, write the manifest and the HTML gallery.")

    @OptionGroup var experimentOptions: ExperimentOptions
    @Flag(help: "Recompute every selected task, ignoring the cache.")
    var force = false
    @Option(help: "Only (re)compute these method instances, kinds, run ids, images or models (repeatable).")
    var only: [String] = []
    @Flag(help: "Finish the other tasks when one fails.")
    var keepGoing = false
    @Option(name: .short, help: "Tasks run at once (of them engine-heavy: --engine-tasks).")
    var jobs: Int = 2
    @Option(help: ArgumentHelp(
        "Engine-heavy tasks run at once: 2 by default where the machine has 2 cores or more, else 1. Each "
            + "spreads over every core; two at once fill the cores in each other's serial parts (on 2 cores "
            + "compare-methods.yaml ran 5-6% faster in fp32 and 12% with precision=bf16, peak memory 1.1 GB; "
            + "docs/SPEED.md). 1: one at a time, the least memory."))
    var engineTasks: Int = ProcessInfo.processInfo.activeProcessorCount >= 2 ? 2 : 1
    @Option(help: ArgumentHelp(
        "Compute only part K of N of the plan into the cache (no manifest or gallery); any number of "
            + "shards run at once on one cache, then `xai run FILE` assembles.", valueName: "K/N"))
    var shard: String?
    @Flag(help: "Write the manifest and gallery from the shards' results; fail, computing nothing, when a shard's work is missing.")
    var assemble = false
    @Option(help: ArgumentHelp(
        "With --shard: balance the parts by the measured costs in FILE (written by `xai slurm`); every "
            + "shard of a split must get the same file.", valueName: "FILE"))
    var costs: String?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("-j must be at least 1") }
        guard engineTasks >= 1 else { throw ValidationError("--engine-tasks must be at least 1") }
        if shard != nil && assemble { throw ValidationError("--shard and --assemble exclude each other") }
        if costs != nil && shard == nil { throw ValidationError("--costs balances shards: use it with --shard K/N") }
    }

    func run() throws {
        try reportingErrors {
            let experiment = try experimentOptions.load()
            let runner = try experimentOptions.runner(experiment)
            let options = RunOptions(executor: ExecutorOptions(jobs: jobs, force: force, keepGoing: keepGoing,
                                                               resourceLimits: [.engine: engineTasks]),
                                     only: only)
            if let shard {
                return try runShard(try Shard(parsing: shard), runner: runner, options: options)
            }
            if assemble {
                let missing = try runner.unfinishedShardTasks()
                guard missing.isEmpty else {
                    throw ValidationError("\(missing.count) task(s) of the shards are not in the cache (first: "
                        + "\(missing[0])); run again the shards that did not finish (their finished work is kept), or "
                        + "run without --assemble to compute them here")
                }
            }
            let startedAt = Date()
            let result = try runner.run(options, progress: ConsoleProgress())
            try Gallery.write(result.manifest, to: result.folder, options: GalleryOptions(catalogue: .standard))
            RunHistory.record(result, file: experimentOptions.file, overrides: experimentOptions.overrides,
                              startedAt: startedAt)
            printOut("manifest: \(result.folder.appendingPathComponent("manifest.json").relativePath)")
            printOut("gallery:  \(result.folder.appendingPathComponent(Gallery.indexFile).relativePath)")
            if !result.report.succeeded {
                printError("\(result.report.failures.count) task(s) failed:")
                for f in result.report.failures { printError("  \(f.id): \(f.message)") }
                throw ExitCode(1)
            }
        }
    }
}

extension RunCommand {
    /// `--shard K/N`: this part into the cache, then one summary line; exit 1 when a task failed.
    private func runShard(_ shard: Shard, runner: ExperimentRunner, options: RunOptions) throws {
        let measured = try costs.map { try MeasuredCosts(contentsOf: URL(fileURLWithPath: $0)) }
        let result = try runner.runShard(shard, options: options, costs: measured, progress: ConsoleProgress())
        let summary = result.report.summary
        let share = result.totalCost == 0 ? 0 : 100 * Double(result.cost) / Double(result.totalCost)
        printOut("shard \(shard): \(result.taskCount) tasks (\(summary["ran", default: []].count) computed, "
            + "\(summary["cached", default: []].count) cached), \(String(format: "%.1f", share))% of the estimated work; "
            + "when every shard is done: xai run \(experimentOptions.file)")
        if !result.report.succeeded {
            printError("\(result.report.failures.count) task(s) failed:")
            for f in result.report.failures { printError("  \(f.id): \(f.message)") }
            throw ExitCode(1)
        }
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Dry run: list the tasks, which are cached and which will run and why.")

    @OptionGroup var experimentOptions: ExperimentOptions
    @Option(help: "text, json, dot or mermaid.")
    var format: String = "text"
    @Flag(help: "Plan as if --force were given.")
    var force = false
    @Option(help: "Plan only these method instances, kinds, run ids, images or models.")
    var only: [String] = []

    func run() throws {
        try reportingErrors {
            guard let f = PlanFormat(rawValue: format) else {
                throw ValidationError("--format must be one of \(PlanFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let experiment = try experimentOptions.load()
            printOut(try experimentOptions.runner(experiment).plan(force: force, only: only).render(f), terminator: "")
        }
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Summarise how much of an experiment is cached.")

    @OptionGroup var experimentOptions: ExperimentOptions

    func run() throws {
        try reportingErrors {
            let experiment = try experimentOptions.load()
            let plan = try experimentOptions.runner(experiment).plan()
            let toRun = plan.toRun.count
            printOut("\(experiment.name): \(plan.items.count) tasks, \(plan.items.count - toRun) cached, \(toRun) to run")
            for (kind, c) in plan.counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                printOut("  \(kind.rawValue): \(c.total) (\(c.cached) cached, \(c.run) to run)")
            }
        }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the fully resolved experiment (defaults, extends and --set applied).")

    @OptionGroup var experimentOptions: ExperimentOptions

    func run() throws {
        try reportingErrors {
            printOut(try experimentOptions.load().resolvedYAML(), terminator: "")
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Print the methods x models x metrics table of an experiment's last run (Markdown or CSV).")

    @OptionGroup var experimentOptions: ExperimentOptions
    @Option(help: "markdown or csv.")
    var format: String = "markdown"

    func run() throws {
        try reportingErrors {
            guard format == "markdown" || format == "csv" else { throw ValidationError("--format must be markdown or csv") }
            let experiment = try experimentOptions.load()
            let folder = URL(fileURLWithPath: experiment.outputDirectory)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.json").path) else {
                throw ValidationError("no results in \(folder.relativePath) yet: run `xai run \(experimentOptions.file)` first")
            }
            let table = ComparisonTable(manifest: try Manifest.read(from: folder), catalogue: .standard)
            printOut(format == "csv" ? ComparisonReport.csv(table) : ComparisonReport.markdown(table), terminator: "")
        }
    }
}
