import Foundation

/// `xai slurm --wait`: follows the shards' array and the assemble job until the assemble job
/// ends, reporting each change of the shards' states. Polls the controller (`scontrol`), the only
/// source there is without Slurm's accounting database.
public struct SlurmWatch {
    /// How the assemble job ended.
    public enum Outcome: Equatable, Sendable {
        case completed
        /// The assemble job failed (`state`, `exitCode`), or never ran because shards failed.
        case failed(state: String, exitCode: String, failedShards: [FailedShard])
        /// The controller no longer knows the job (it ended more than `MinJobAge` ago).
        case forgotten
    }

    /// An array task that did not complete: shard `index` (1-based) of N.
    public struct FailedShard: Equatable, Sendable {
        public var index: Int
        public var state: String
        public var exitCode: String
    }

    public let client: SlurmClient
    public let shardsJob: String?
    public let assembleJob: String
    public var interval: TimeInterval = 1

    public init(client: SlurmClient, shardsJob: String?, assembleJob: String) {
        self.client = client
        self.shardsJob = shardsJob
        self.assembleJob = assembleJob
    }

    /// Blocks until the assemble job ends; `progress` gets a line whenever the shards' counts change.
    public func wait(progress: (String) -> Void) throws -> Outcome {
        var last = ""
        var failed = [FailedShard]()
        while true {
            if let shardsJob {
                let records = try client.jobRecords(shardsJob)
                failed = Self.failedShards(records)
                let line = Self.summary(records)
                if !line.isEmpty, line != last {
                    progress("shards: \(line)")
                    last = line
                }
            }
            guard let assemble = try client.jobRecords(assembleJob).first else { return .forgotten }
            if assemble.isStuck {
                client.cancel(assembleJob)
                return .failed(state: "CANCELLED", exitCode: assemble.exitCode, failedShards: failed)
            }
            if assemble.isFinished {
                return assemble.state == "COMPLETED"
                    ? .completed : .failed(state: assemble.state, exitCode: assemble.exitCode, failedShards: failed)
            }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// `2 running, 1 pending`: tasks per state (a pending range counts each task it holds).
    static func summary(_ records: [SlurmJobRecord]) -> String {
        var counts = [String: Int]()
        for r in records { counts[r.state.lowercased(), default: 0] += taskCount(r.arrayTaskID) }
        return counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    static func failedShards(_ records: [SlurmJobRecord]) -> [FailedShard] {
        records.filter(\.isFailed).compactMap { r in
            r.arrayTaskID.flatMap(Int.init).map { FailedShard(index: $0 + 1, state: r.state, exitCode: r.exitCode) }
        }.sorted { $0.index < $1.index }
    }

    /// Tasks in `0-2,5` (a `%4` throttle suffix ignored); 1 for a plain job.
    static func taskCount(_ spec: String?) -> Int {
        guard let spec else { return 1 }
        return spec.split(separator: "%")[0].split(separator: ",").reduce(0) { sum, part in
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            return sum + (bounds.count == 2 ? max(0, bounds[1] - bounds[0] + 1) : 1)
        }
    }
}
