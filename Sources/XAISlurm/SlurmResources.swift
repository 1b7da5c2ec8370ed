/// What each job of `xai slurm` asks the cluster for, checked before anything is written: every
/// value lands on an `#SBATCH` line, which sbatch splits at white space, so a value with a space,
/// a quote or a control character would become another option (or another line of the script).
public struct SlurmResources: Sendable, Equatable {
    /// `--partition`; nil: the cluster's default partition.
    public var partition: String?
    /// `--time` (`MM`, `HH:MM:SS`, `D-HH`, ...; sbatch checks the form); nil: the partition's limit.
    public var time: String?
    /// `--cpus-per-task`; nil: the cluster's default (one). Each shard's engine uses the CPUs the
    /// job is bound to.
    public var cpusPerTask: Int?
    /// Further sbatch options, one per element, each `--name` or `--name=value` (e.g. `--mem=8G`,
    /// `--account=lab`).
    public var extraArguments: [String]

    /// - Throws: `SlurmError.invalidValue` naming the option and what is wrong.
    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int? = nil,
                extraArguments: [String] = []) throws {
        if let partition { try Self.check(partition, option: "--partition") }
        if let time { try Self.check(time, option: "--time") }
        if let cpusPerTask, !(1...4096).contains(cpusPerTask) {
            throw SlurmError.invalidValue(option: "--cpus-per-task", value: String(cpusPerTask),
                                          problem: "must be between 1 and 4096")
        }
        for argument in extraArguments {
            try Self.check(argument, option: "--sbatch-arg")
            guard argument.hasPrefix("-") else {
                throw SlurmError.invalidValue(option: "--sbatch-arg", value: argument,
                                              problem: "must be one sbatch option, e.g. --sbatch-arg=--mem=8G")
            }
            let name = argument.split(separator: "=", maxSplits: 1)[0]
            guard !Self.owned.contains(String(name)) else {
                throw SlurmError.invalidValue(option: "--sbatch-arg", value: argument,
                                              problem: "xai slurm sets \(name) itself")
            }
        }
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.extraArguments = extraArguments
    }

    /// The options the scripts set themselves; another value would split the plan differently
    /// from what `xai slurm` checked, or send logs and dependencies elsewhere.
    static let owned: Set<String> = ["--array", "-a", "--dependency", "-d", "--output", "-o", "--error", "-e",
                                     "--chdir", "-D", "--job-name", "-J", "--parsable", "--wait", "-W"]

    /// The `#SBATCH` option lines these resources add, in a fixed order.
    var options: [String] {
        var lines = [String]()
        if let partition { lines.append("--partition=\(partition)") }
        if let time { lines.append("--time=\(time)") }
        if let cpusPerTask { lines.append("--cpus-per-task=\(cpusPerTask)") }
        return lines + extraArguments
    }

    /// Printable ASCII without white space or shell/sbatch quoting characters.
    static func check(_ value: String, option: String) throws {
        let bad = value.unicodeScalars.first { !($0.value > 32 && $0.value < 127) || "'\"\\`$;#".unicodeScalars.contains($0) }
        if value.isEmpty || value.utf8.count > 1000 || bad != nil {
            throw SlurmError.invalidValue(option: option, value: value,
                                          problem: "an #SBATCH line needs 1 to 1000 printable characters without spaces, quotes, `$`, `;` or `#`")
        }
    }
}
