/// The two batch scripts of `xai slurm`: a job array whose task i computes shard i+1 of N into
/// the shared cache (`xai run FILE --shard K/N`), and an assemble job, submitted with
/// `--dependency=afterok:<array job>`, that writes the manifest and gallery (`xai run FILE
/// --assemble`).
///
/// The scripts are complete on their own: every option is an `#SBATCH` line (none hides on the
/// submitting command line but the dependency, whose job id is known only after the array is
/// submitted), so a failed task is resubmitted alone with `sbatch --array=I shards.sbatch`.
public struct SlurmScripts: Sendable, Equatable {
    /// The xai command the jobs run, as arguments before the subcommand's own (the absolute path
    /// of the executable first), and the experiment's arguments after `run` (file, `--set` ...).
    public var executable: String
    public var experimentArguments: [String]
    /// Further arguments of the shards' command only (e.g. `--costs FILE`).
    public var shardArguments: [String]
    /// Absolute folder the jobs start in (where the experiment file's relative paths hold).
    public var workingDirectory: String
    /// Absolute folder for the jobs' logs (`task-<I>.out` for array task I, `assemble.out`).
    public var logDirectory: String
    /// Base of the jobs' names (`<base>-shards`, `<base>-assemble`).
    public var jobName: String
    /// N.
    public var shardCount: Int
    /// The shards (1-based) the array runs: all N at first, later only those with work left
    /// (none: only the assemble job is needed).
    public var shards: [Int]
    public var resources: SlurmResources

    /// - Throws: `SlurmError.invalidValue` for a folder or name that an `#SBATCH` line cannot
    ///   hold (white space, quotes), or shards outside 1...N.
    public init(executable: String, experimentArguments: [String], shardArguments: [String] = [],
                workingDirectory: String, logDirectory: String,
                jobName: String, shardCount: Int, shards: [Int], resources: SlurmResources) throws {
        try SlurmResources.check(workingDirectory, option: "the working folder")
        try SlurmResources.check(logDirectory, option: "the log folder")
        try SlurmResources.check(jobName, option: "the job name")
        guard shardCount >= 1, shards.allSatisfy({ (1...shardCount).contains($0) }) else {
            throw SlurmError.invalidValue(option: "--shards", value: String(shardCount),
                                          problem: "parts \(shards) are not all in 1...\(shardCount)")
        }
        self.executable = executable
        self.experimentArguments = experimentArguments
        self.shardArguments = shardArguments
        self.workingDirectory = workingDirectory
        self.logDirectory = logDirectory
        self.jobName = jobName
        self.shardCount = shardCount
        self.shards = shards
        self.resources = resources
    }

    public var shardsJobName: String { "\(jobName)-shards" }
    public var assembleJobName: String { "\(jobName)-assemble" }

    /// The array indices (shard - 1) in sbatch's compact form: `0-2`, `0,2-3`.
    public var arraySpec: String { Self.ranges(shards.map { $0 - 1 }) }

    /// The job array: task `SLURM_ARRAY_TASK_ID` computes shard `SLURM_ARRAY_TASK_ID + 1` of N.
    public var shardsScript: String {
        let run = ([executable, "run"] + experimentArguments + shardArguments).map(ShellWord.quote).joined(separator: " ")
        return header(name: shardsJobName, log: "task-%a.out", extra: ["--array=\(arraySpec)"]) + """
            # Task I computes part I+1 of \(shardCount) of the plan into the shared cache (Outputs/.cache);
            # the assemble job writes the manifest and gallery once every part is done. To run one
            # failed part again alone: sbatch --array=I THIS_SCRIPT (re-running `xai slurm` submits
            # every part with work left).
            set -eu
            exec \(run) --shard "$((SLURM_ARRAY_TASK_ID + 1))/\(shardCount)"

            """
    }

    /// The assemble job: fails, computing nothing, when a part's work is missing from the cache.
    public var assembleScript: String {
        let run = ([executable, "run"] + experimentArguments + ["--assemble"]).map(ShellWord.quote).joined(separator: " ")
        return header(name: assembleJobName, log: "assemble.out", extra: []) + """
            # Writes the manifest and gallery from the parts' results, as one `xai run` would.
            set -eu
            exec \(run)

            """
    }

    private func header(name: String, log: String, extra: [String]) -> String {
        let options = ["--job-name=\(name)", "--chdir=\(workingDirectory)", "--output=\(logDirectory)/\(log)"]
            + extra + resources.options
        return "#!/bin/sh\n" + options.map { "#SBATCH \($0)\n" }.joined()
    }

    /// Sorted, de-duplicated integers as comma-separated ranges.
    static func ranges(_ values: [Int]) -> String {
        var runs = [(first: Int, last: Int)]()
        for v in Set(values).sorted() {
            if let run = runs.last, run.last + 1 == v { runs[runs.count - 1].last = v } else { runs.append((v, v)) }
        }
        return runs.map { $0.first == $0.last ? "\($0.first)" : "\($0.first)-\($0.last)" }.joined(separator: ",")
    }
}
