import Foundation

/// What can go wrong between `xai slurm` and the cluster; each case says what to do.
public enum SlurmError: Error, Equatable, CustomStringConvertible {
    /// An option value that cannot go into a batch script.
    case invalidValue(option: String, value: String, problem: String)
    /// A Slurm client program is not on PATH.
    case toolMissing(name: String)
    /// A Slurm client program exited non-zero.
    case toolFailed(command: String, status: Int32, message: String)
    /// A Slurm client program printed something other than what was asked for.
    case unexpectedOutput(command: String, output: String)
    /// Jobs of this experiment are still queued or running.
    case alreadyQueued(jobName: String, jobIDs: [String])

    public var description: String {
        switch self {
        case let .invalidValue(option, value, problem):
            return "\(option) '\(value)': \(problem)"
        case let .toolMissing(name):
            return "\(name) not found on PATH: run `xai slurm` on a machine that submits Slurm jobs (a login node), "
                + "or add --dry-run to print the scripts"
        case let .toolFailed(command, status, message):
            let detail = message.trimmingCharacters(in: .whitespacesAndNewlines)
            return "`\(command)` exited \(status)" + (detail.isEmpty ? "" : ": \(detail)")
        case let .unexpectedOutput(command, output):
            return "`\(command)` printed '\(output.prefix(200))', not a job id"
        case let .alreadyQueued(jobName, ids):
            return "jobs \(ids.joined(separator: ", ")) named \(jobName) are still queued or running; wait for them "
                + "(squeue --name=\(jobName)) or cancel them (scancel --name=\(jobName)) before submitting again"
        }
    }
}
