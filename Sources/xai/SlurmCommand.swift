import ArgumentParser
import Foundation
import XAIManifest
import XAIPlanner
import XAISlurm

struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Run an experiment on a Slurm cluster: a job array of shards, then an assemble job.",
        discussion: """
            Writes Outputs/.slurm/<name>/shards.sbatch, a job array whose task I runs `xai run FILE --shard I+1/N`, \
            and assemble.sbatch (`xai run FILE --assemble`, submitted with --dependency=afterok on the array), \
            submits both with `sbatch --parsable` and prints the job ids. Outputs/ (with its .cache) and this binary \
            must be on a filesystem every node mounts. Logs go to Outputs/.slurm/<name>/logs/.

            The parts are balanced by the seconds that tasks like these took before (from the cache), frozen in \
            costs.json beside the scripts. Running `xai slurm` again submits only the shards with work left. One failed task can also be \
            resubmitted alone: sbatch --array=I Outputs/.slurm/<name>/shards.sbatch
            """)

    @OptionGroup var experimentOptions: ExperimentOptions
    @Option(help: "Parts the plan is split into (array tasks).")
    var shards: Int = 4
    @Option(help: "Slurm partition (default: the cluster's).")
    var partition: String?
    @Option(help: "Time limit of each job, in sbatch's form (e.g. 30, 2:00:00, 1-0).")
    var time: String?
    @Option(help: "CPUs of each job (default: the cluster's, usually 1).")
    var cpusPerTask: Int?
    @Option(help: ArgumentHelp("Another sbatch option for both jobs, e.g. --sbatch-arg=--mem=8G (repeatable).",
                               valueName: "OPTION"))
    var sbatchArg: [String] = []
    @Flag(help: "Block until the assemble job ends; exit with its status.")
    var wait = false
    @Flag(help: "Print the scripts and the sbatch commands; write and submit nothing.")
    var dryRun = false

    func validate() throws {
        guard (1...Shard.maxCount).contains(shards) else {
            throw ValidationError("--shards must be between 1 and \(Shard.maxCount)")
        }
        if wait && dryRun { throw ValidationError("--wait and --dry-run exclude each other") }
    }

    func run() throws {
        try reportingErrors {
            let experiment = try experimentOptions.load()
            let runner = try experimentOptions.runner(experiment)
            // Frozen now, so every shard balances by the same numbers however the cache fills meanwhile.
            let graph = try runner.buildGraph()
            let measured = try runner.measuredCosts(graph: graph)
            let left = try runner.shardsWithWorkLeft(count: shards, costs: measured, graph: graph).map(\.index)
            let cwd = FileManager.default.currentDirectoryPath
            let outputs = URL(fileURLWithPath: experiment.outputDirectory, relativeTo: URL(fileURLWithPath: cwd + "/"))
                .standardizedFileURL
            let folder = outputs.deletingLastPathComponent().appendingPathComponent(".slurm")
                .appendingPathComponent(outputs.lastPathComponent)
            let costsFile = folder.appendingPathComponent("costs.json")
            let scripts = try SlurmScripts(
                executable: Self.executablePath, experimentArguments: experimentArguments,
                shardArguments: ["--costs", costsFile.path],
                workingDirectory: cwd, logDirectory: folder.appendingPathComponent("logs").path,
                jobName: "xai-\(experiment.name)", shardCount: shards, shards: left,
                resources: try SlurmResources(partition: partition, time: time, cpusPerTask: cpusPerTask,
                                              extraArguments: sbatchArg))
            let shardsFile = folder.appendingPathComponent("shards.sbatch")
            let assembleFile = folder.appendingPathComponent("assemble.sbatch")
            if dryRun {
                return printDryRun(scripts, shardsFile: shardsFile, assembleFile: assembleFile)
            }
            let client = SlurmClient()
            for name in [scripts.shardsJobName, scripts.assembleJobName] {
                let queued = try client.queuedJobs(named: name)
                if !queued.isEmpty { throw SlurmError.alreadyQueued(jobName: name, jobIDs: queued) }
            }
            try OutputTree(root: outputs.deletingLastPathComponent()).makeFolder(folder.appendingPathComponent("logs"))
            try measured.write(to: costsFile)
            try AtomicFile.write(scripts.shardsScript, to: shardsFile)
            try AtomicFile.write(scripts.assembleScript, to: assembleFile)

            var shardsJob: String?
            if !left.isEmpty {
                shardsJob = try client.submit(shardsFile.path)
                printOut("submitted \(left.count) of \(shards) shards (array \(scripts.arraySpec)) as job \(shardsJob!)")
            } else {
                printOut("every shard's work is in the cache; submitting only the assemble job")
            }
            let assembleJob = try client.submit(assembleFile.path,
                                                options: shardsJob.map { ["--dependency=afterok:\($0)"] } ?? [])
            printOut("submitted assemble as job \(assembleJob)" + (shardsJob.map { " (after job \($0) succeeds)" } ?? ""))
            let ids = ([shardsJob, assembleJob].compactMap { $0 }).joined(separator: ",")
            printOut("watch: squeue --jobs=\(ids)   (with accounting: sacct --jobs=\(ids))")
            printOut("logs:  \(folder.appendingPathComponent("logs").path)/")
            if wait {
                try waitForAssemble(SlurmWatch(client: client, shardsJob: shardsJob, assembleJob: assembleJob),
                                    experiment: experiment.outputDirectory, logs: folder.appendingPathComponent("logs"))
            }
        }
    }

    /// The file and the options that change the plan, as every job must pass them on.
    private var experimentArguments: [String] {
        [experimentOptions.file] + experimentOptions.overrides.flatMap { ["--set", $0] }
            + (experimentOptions.weights == WeightsFolder.defaultName ? [] : ["--weights", experimentOptions.weights])
    }

    /// This binary, by absolute path: the jobs run it on the nodes (a shared filesystem).
    static var executablePath: String {
        URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).standardizedFileURL.path
    }

    private func printDryRun(_ scripts: SlurmScripts, shardsFile: URL, assembleFile: URL) {
        if !scripts.shards.isEmpty {
            printOut("# \(shardsFile.relativePath)")
            printOut(scripts.shardsScript)
        }
        printOut("# \(assembleFile.relativePath)")
        printOut(scripts.assembleScript)
        printOut("# submitted with:")
        if scripts.shards.isEmpty {
            printOut("#   sbatch --parsable \(assembleFile.path)   (every shard's work is in the cache)")
        } else {
            printOut("#   sbatch --parsable \(shardsFile.path)")
            printOut("#   sbatch --parsable --dependency=afterok:<shards job id> \(assembleFile.path)")
        }
    }

    private func waitForAssemble(_ watch: SlurmWatch, experiment folder: String, logs: URL) throws {
        switch try watch.wait(progress: { printOut($0) }) {
        case .completed:
            printOut("assemble done: \(folder)/manifest.json, \(folder)/index.html")
        case .forgotten:
            printError("the controller no longer knows job \(watch.assembleJob); see \(logs.path)/assemble.out")
            throw ExitCode(1)
        case let .failed(state, exitCode, failedShards):
            for s in failedShards {
                printError("shard \(s.index)/\(shards): \(s.state) (exit \(s.exitCode)); log: \(logs.path)/task-\(s.index - 1).out")
            }
            printError("assemble job \(watch.assembleJob): \(state) (exit \(exitCode)); log: \(logs.path)/assemble.out")
            printError("finished work is kept in the cache: run `xai slurm \(experimentOptions.file) --shards \(shards)` "
                + "again to submit only the shards with work left")
            throw ExitCode(1)
        }
    }
}
