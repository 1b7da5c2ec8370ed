import Foundation
import XCTest

/// `xai run --shard` through the built binary: the xargs example, end to end.
final class ShardCLITests: CLITestCase {
    private let experiment = CLITestCase.smallExperiment(name: "cli-shards")

    private func scratch() throws -> URL { try scratch(experiment: experiment) }

    /// Three shards started at once by `examples/parallel/shards.sh` (xargs -P 3), then the
    /// assemble: manifest and maps equal a single run's, byte for byte.
    func testXargsShardsThenAssembleEqualASingleRun() throws {
        let single = try scratch(), sharded = try scratch()
        let one = try xai(["run", "exp.yaml"], in: single)
        XCTAssertEqual(one.status, 0, one.stderr)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [Self.repositoryRoot.appendingPathComponent("examples/parallel/shards.sh").path,
                             "exp.yaml", "3", Self.executable.path]
        process.currentDirectoryURL = sharded
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, stderr)

        let a = single.appendingPathComponent("Outputs/cli-shards"), b = sharded.appendingPathComponent("Outputs/cli-shards")
        let manifest = try Data(contentsOf: a.appendingPathComponent("manifest.json"))
        XCTAssertEqual(try Data(contentsOf: b.appendingPathComponent("manifest.json")), manifest)
        let results = try XCTUnwrap((try JSONSerialization.jsonObject(with: manifest) as? [String: Any])?["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 6)
        for r in results {
            let map = try XCTUnwrap(r["map"] as? String)
            XCTAssertEqual(try Data(contentsOf: b.appendingPathComponent(map)), try Data(contentsOf: a.appendingPathComponent(map)), map)
        }
    }

    func testAssembleRefusesToComputeTheShardsWork() throws {
        let dir = try scratch()
        let r = try xai(["run", "exp.yaml", "--assemble"], in: dir)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("task(s) of the shards are not in the cache"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Outputs/cli-shards/manifest.json").path))
    }
}
