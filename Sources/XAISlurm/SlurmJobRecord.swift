/// One record of `scontrol --oneliner show job`: a job, one task of an array, or a pending
/// range of array tasks. Only the fields `xai slurm --wait` reads.
public struct SlurmJobRecord: Sendable, Equatable {
    public var jobID: String
    /// The array task index (`3`), a pending range (`0-2`, `1,4`), or nil for a plain job.
    public var arrayTaskID: String?
    /// `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, ...
    public var state: String
    /// Why a job waits or ended (`Dependency`, `DependencyNeverSatisfied`, `NonZeroExitCode`).
    public var reason: String
    /// `status:signal`, e.g. `1:0`.
    public var exitCode: String

    /// nil for a line without `JobId=` and `JobState=`.
    public init?(line: String) {
        var fields = [Substring: Substring]()
        for token in line.split(separator: " ") {
            guard let eq = token.firstIndex(of: "=") else { continue }
            let key = token[..<eq]
            if fields[key] == nil { fields[key] = token[token.index(after: eq)...] }
        }
        guard let id = fields["JobId"], let state = fields["JobState"] else { return nil }
        jobID = String(id)
        arrayTaskID = fields["ArrayTaskId"].map(String.init)
        self.state = String(state)
        reason = fields["Reason"].map(String.init) ?? "None"
        exitCode = fields["ExitCode"].map(String.init) ?? "0:0"
    }

    /// The job will not change state again.
    public var isFinished: Bool { Self.finalStates.contains(state) }

    /// Finished without success.
    public var isFailed: Bool { isFinished && state != "COMPLETED" }

    /// A dependent that can never start (its `afterok` job failed); without the cluster's
    /// `kill_invalid_depend` it would stay pending for ever.
    public var isStuck: Bool { state == "PENDING" && reason == "DependencyNeverSatisfied" }

    static let finalStates: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                                           "PREEMPTED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT"]
}
