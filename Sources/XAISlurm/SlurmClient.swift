import Foundation

/// Slurm's own client programs (`sbatch`, `squeue`, `scontrol`, `scancel`), run as child
/// processes: xai talks to whatever cluster they reach (`SLURM_CONF`, the site's configuration)
/// and needs no Slurm library.
public struct SlurmClient: Sendable {
    /// Environment for the clients; nil: this process's.
    public var environment: [String: String]?

    public init(environment: [String: String]? = nil) {
        self.environment = environment
    }

    /// Submits `script` and returns its job id (`sbatch --parsable`; a `;cluster` suffix dropped).
    public func submit(_ script: String, options: [String] = []) throws -> String {
        let out = try run("sbatch", ["--parsable"] + options + [script])
        let id = out.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard !id.isEmpty, id.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw SlurmError.unexpectedOutput(command: "sbatch --parsable", output: out)
        }
        return id
    }

    /// Ids of the queued or running jobs named `name` (array tasks share their array's id).
    public func queuedJobs(named name: String) throws -> [String] {
        let out = try run("squeue", ["--noheader", "--name=\(name)", "--format=%F"])
        return Array(Set(out.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty })).sorted()
    }

    /// The controller's records of job `id` (one per array task, or per pending range of tasks);
    /// empty once the controller has forgotten it (`MinJobAge` after it ended).
    public func jobRecords(_ id: String) throws -> [SlurmJobRecord] {
        let result = try execute("scontrol", ["--oneliner", "show", "job", id])
        if result.status != 0 {
            if result.stderr.contains("Invalid job id") { return [] }
            throw SlurmError.toolFailed(command: "scontrol show job \(id)", status: result.status, message: result.stderr)
        }
        return result.stdout.split(whereSeparator: \.isNewline).compactMap { SlurmJobRecord(line: String($0)) }
    }

    /// Cancels job `id` (all its array tasks); a job that already ended is not an error.
    public func cancel(_ id: String) {
        _ = try? execute("scancel", [id])
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let result = try execute(tool, arguments)
        guard result.status == 0 else {
            throw SlurmError.toolFailed(command: ([tool] + arguments).joined(separator: " "), status: result.status,
                                        message: result.stderr)
        }
        return result.stdout
    }

    private func execute(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let env = environment ?? ProcessInfo.processInfo.environment
        guard let path = Self.find(tool, in: env["PATH"] ?? "/usr/bin:/bin") else { throw SlurmError.toolMissing(name: tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Both pipes drained at once: a client that fills one while we wait on the other would block.
        let stderr = Collected()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { stderr.data = err.fileHandleForReading.readDataToEndOfFile() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr.data, as: UTF8.self))
    }

    private static func find(_ tool: String, in path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Bytes one reader thread fills before `DispatchGroup.wait` hands them to another.
private final class Collected: @unchecked Sendable {
    var data = Data()
}
