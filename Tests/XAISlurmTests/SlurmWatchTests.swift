import XCTest
@testable import XAISlurm

/// `SlurmClient` and `SlurmWatch` against stand-in client programs (shell scripts on PATH) that
/// print what Slurm 22.05's print in the states that matter; the real cluster is exercised by
/// the CLI test (`SlurmCLITests`).
final class SlurmWatchTests: XCTestCase {
    private var bin: URL!

    override func setUpWithError() throws {
        bin = FileManager.default.temporaryDirectory.appendingPathComponent("xai-fake-slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: bin)
    }

    private func tool(_ name: String, _ body: String) throws {
        let url = bin.appendingPathComponent(name)
        try ("#!/bin/sh\n" + body + "\n").write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    private var client: SlurmClient { SlurmClient(environment: ["PATH": bin.path + ":/usr/bin:/bin"]) }

    func testRecordsParseScontrolOneLiners() throws {
        let line = "JobId=8 ArrayJobId=7 ArrayTaskId=1 ArrayTaskThrottle=0 JobName=xai-e-shards UserId=u(1) "
            + "JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=1:0 WorkDir=/s"
        let r = try XCTUnwrap(SlurmJobRecord(line: line))
        XCTAssertEqual(r, try XCTUnwrap(SlurmJobRecord(line: line)))
        XCTAssertEqual(r.jobID, "8")
        XCTAssertEqual(r.arrayTaskID, "1")
        XCTAssertEqual(r.state, "FAILED")
        XCTAssertEqual(r.exitCode, "1:0")
        XCTAssertTrue(r.isFailed)
        XCTAssertNil(SlurmJobRecord(line: "slurm_load_jobs error: Invalid job id specified"))
        XCTAssertEqual(SlurmWatch.taskCount("0-2,5%2"), 4)
        XCTAssertEqual(SlurmWatch.taskCount(nil), 1)
    }

    /// A failed shard leaves the `afterok` assemble job pending for ever: the watch cancels it and
    /// names the failed shard.
    func testAFailedShardEndsTheWaitAndCancelsTheStuckAssembleJob() throws {
        let cancelled = bin.appendingPathComponent("cancelled")
        try tool("scontrol", """
            case "$4" in
            7) echo "JobId=7 ArrayJobId=7 ArrayTaskId=0 JobState=COMPLETED Reason=None ExitCode=0:0"
               echo "JobId=8 ArrayJobId=7 ArrayTaskId=1 JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0"
               echo "JobId=9 ArrayJobId=7 ArrayTaskId=2 JobState=COMPLETED Reason=None ExitCode=0:0" ;;
            10) echo "JobId=10 JobName=xai-e-assemble JobState=PENDING Reason=DependencyNeverSatisfied ExitCode=0:0" ;;
            esac
            """)
        try tool("scancel", "echo \"$@\" > '\(cancelled.path)'")
        var lines = [String]()
        let outcome = try SlurmWatch(client: client, shardsJob: "7", assembleJob: "10").wait { lines.append($0) }
        XCTAssertEqual(outcome, .failed(state: "CANCELLED", exitCode: "0:0",
                                        failedShards: [.init(index: 2, state: "FAILED", exitCode: "1:0")]))
        XCTAssertEqual(lines, ["shards: 2 completed, 1 failed"])
        XCTAssertEqual(try String(contentsOf: cancelled, encoding: .utf8), "10\n")
    }

    func testAJobTheControllerForgotIsReportedAsSuch() throws {
        try tool("scontrol", "echo 'slurm_load_jobs error: Invalid job id specified' >&2; exit 1")
        XCTAssertEqual(try SlurmWatch(client: client, shardsJob: nil, assembleJob: "3").wait { _ in }, .forgotten)
    }

    func testSubmitReadsTheParsableJobIDAndRefusesAnythingElse() throws {
        try tool("sbatch", "echo '42;cluster1'")
        XCTAssertEqual(try client.submit("/x.sbatch"), "42")
        try tool("sbatch", "echo 'Submitted batch job 42'")
        XCTAssertThrowsError(try client.submit("/x.sbatch"))
        try tool("sbatch", "echo 'sbatch: error: invalid partition specified: gpu' >&2; exit 1")
        XCTAssertThrowsError(try client.submit("/x.sbatch")) { error in
            XCTAssertTrue("\(error)".contains("invalid partition specified: gpu"), "\(error)")
        }
        try tool("squeue", "printf '5\\n5\\n6\\n'")
        XCTAssertEqual(try client.queuedJobs(named: "xai-e-shards"), ["5", "6"])
        XCTAssertThrowsError(try SlurmClient(environment: ["PATH": "/nonexistent"]).submit("/x")) { error in
            XCTAssertEqual(error as? SlurmError, .toolMissing(name: "sbatch"))
        }
    }
}
