import Foundation
import XCTest

/// `xai slurm` on a real one-node Slurm cluster (`tools/slurm-cluster.sh`: slurmctld + slurmd
/// from Debian's packages, started and stopped by the test), and shards killed half-way.
final class SlurmCLITests: CLITestCase {
    private let experiment = CLITestCase.smallExperiment(name: "cli-slurm")

    private func scratch() throws -> URL { try scratch(experiment: experiment) }

    /// Runs `arguments` inside a private cluster (the script's exit status is the command's).
    private func inCluster(_ arguments: [String], in directory: URL) throws -> Result {
        try run(Self.repositoryRoot.appendingPathComponent("tools/slurm-cluster.sh"), arguments, in: directory)
    }

    private func assertSameResults(_ a: URL, _ b: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let manifest = try Data(contentsOf: a.appendingPathComponent("manifest.json"))
        XCTAssertEqual(try Data(contentsOf: b.appendingPathComponent("manifest.json")), manifest, file: file, line: line)
        let results = try XCTUnwrap((try JSONSerialization.jsonObject(with: manifest) as? [String: Any])?["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 6, file: file, line: line)
        for r in results {
            let map = try XCTUnwrap(r["map"] as? String)
            XCTAssertEqual(try Data(contentsOf: b.appendingPathComponent(map)), try Data(contentsOf: a.appendingPathComponent(map)),
                           map, file: file, line: line)
        }
    }

    /// Three array tasks on the cluster, then the assemble job: the same manifest and maps as one
    /// `xai run`. Submitting again finds every shard done and submits only the assemble job.
    func testSlurmArrayThenAssembleEqualsASingleRun() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/slurmctld") else {
            throw XCTSkip("Slurm is not installed: the cluster test needs "
                + "`sudo apt-get install -y --no-install-recommends slurmctld slurmd slurm-client` (make test installs it as root)")
        }
        let single = try scratch(), cluster = try scratch()
        let one = try xai(["run", "exp.yaml"], in: single)
        XCTAssertEqual(one.status, 0, one.stderr)

        let r = try inCluster([Self.executable.path, "slurm", "exp.yaml", "--shards", "3", "--cpus-per-task", "1", "--wait"],
                              in: cluster)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("submitted 3 of 3 shards (array 0-2) as job"), r.stdout)
        XCTAssertTrue(r.stdout.contains("shards: 3 completed"), r.stdout)
        XCTAssertTrue(r.stdout.contains("assemble done"), r.stdout)
        try assertSameResults(single.appendingPathComponent("Outputs/cli-slurm"), cluster.appendingPathComponent("Outputs/cli-slurm"))
        let logs = cluster.appendingPathComponent("Outputs/.slurm/cli-slurm/logs")
        for i in 0..<3 {
            let log = try String(contentsOf: logs.appendingPathComponent("task-\(i).out"), encoding: .utf8)
            XCTAssertTrue(log.contains("shard \(i + 1)/3: 6 tasks (6 computed, 0 cached)"), log)
        }

        let again = try inCluster([Self.executable.path, "slurm", "exp.yaml", "--shards", "3", "--wait"], in: cluster)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("submitting only the assemble job"), again.stdout)
    }

    /// After one shard ran elsewhere, the scripts list only the other two; nothing is written
    /// or submitted by --dry-run, so it needs no cluster.
    func testDryRunListsOnlyShardsWithWorkLeft() throws {
        let dir = try scratch()
        let fresh = try xai(["slurm", "exp.yaml", "--shards", "3", "--dry-run", "--partition", "cpu"], in: dir)
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        XCTAssertTrue(fresh.stdout.contains("#SBATCH --array=0-2\n"), fresh.stdout)
        XCTAssertTrue(fresh.stdout.contains("#SBATCH --partition=cpu\n"), fresh.stdout)
        XCTAssertTrue(fresh.stdout.contains("run exp.yaml --costs \(dir.path)/Outputs/.slurm/cli-slurm/costs.json "
            + "--shard \"$((SLURM_ARRAY_TASK_ID + 1))/3\""), fresh.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Outputs/.slurm").path))

        let two = try xai(["run", "exp.yaml", "--shard", "2/3"], in: dir)
        XCTAssertEqual(two.status, 0, two.stderr)
        let left = try xai(["slurm", "exp.yaml", "--shards", "3", "--dry-run"], in: dir)
        XCTAssertTrue(left.stdout.contains("#SBATCH --array=0,2\n"), left.stdout)

        let noCosts = try xai(["run", "exp.yaml", "--shard", "1/3", "--costs", "missing.json"], in: dir)
        XCTAssertEqual(noCosts.status, 1)
        XCTAssertTrue(noCosts.stderr.contains("missing.json"), noCosts.stderr)

        let bad = try xai(["slurm", "exp.yaml", "--dry-run", "--sbatch-arg=--array=0-9"], in: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("xai slurm sets --array itself"), bad.stderr)
    }

    /// A shard killed with SIGKILL half-way and started again computes only the tasks it had not
    /// committed; the assembled results equal a single run's.
    func testAShardKilledHalfWayRecomputesOnlyItsUnfinishedTasks() throws {
        let single = try scratch(), dir = try scratch()
        XCTAssertEqual(try xai(["run", "exp.yaml"], in: single).status, 0)

        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["run", "exp.yaml", "--shard", "1/1", "-j", "1"]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Progress lines ("[3/18] coffee/predict (0.2 s)") come after each commit.
        var seen = "", finished = 0
        while finished < 4, process.isRunning {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            finished = seen.split(separator: "\n").filter { $0.hasPrefix("[") }.count
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the shard finished before it was killed:\n\(seen)")

        let again = try xai(["run", "exp.yaml", "--shard", "1/1"], in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        let match = try XCTUnwrap(again.stdout.firstMatch(of: try Regex(#"18 tasks \((\d+) computed, (\d+) cached\)"#)),
                                  again.stdout)
        let computed = Int(again.stdout[match.output[1].range!])!, cached = Int(again.stdout[match.output[2].range!])!
        XCTAssertGreaterThanOrEqual(cached, finished, "every committed task is reused")
        XCTAssertEqual(computed + cached, 18)
        XCTAssertGreaterThan(computed, 0, "the kill left work to do")

        XCTAssertEqual(try xai(["run", "exp.yaml", "--assemble"], in: dir).status, 0)
        try assertSameResults(single.appendingPathComponent("Outputs/cli-slurm"), dir.appendingPathComponent("Outputs/cli-slurm"))
    }
}
