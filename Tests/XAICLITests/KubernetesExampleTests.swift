import Foundation
import XCTest
import Yams

/// `examples/kubernetes/`: the Indexed Job's pod command and the assemble Job's, read from the
/// manifests and run here as Kubernetes would run them (`/bin/sh -c` with the container's
/// environment and `JOB_COMPLETION_INDEX`), every index at once on one cache.
final class KubernetesExampleTests: CLITestCase {
    private struct Container {
        var command: [String]
        var environment: [String: String]
    }

    /// The first container of a Job manifest and the Job's spec.
    private func job(_ name: String) throws -> (spec: [String: Any], container: Container) {
        let url = Self.repositoryRoot.appendingPathComponent("examples/kubernetes/\(name)")
        let doc = try XCTUnwrap(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
        XCTAssertEqual(doc["kind"] as? String, "Job")
        let spec = try XCTUnwrap(doc["spec"] as? [String: Any])
        let pod = try XCTUnwrap((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let c = try XCTUnwrap((pod["containers"] as? [[String: Any]])?.first)
        let command = (c["command"] as? [String] ?? []) + (c["args"] as? [String] ?? [])
        var env = [String: String]()
        for e in c["env"] as? [[String: Any]] ?? [] {
            env[try XCTUnwrap(e["name"] as? String)] = try XCTUnwrap(e["value"] as? String)
        }
        return (spec, Container(command: command, environment: env))
    }

    private func start(_ c: Container, index: Int?, in dir: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(c.command.first))
        process.arguments = Array(c.command.dropFirst())
        var env = ProcessInfo.processInfo.environment.merging(c.environment) { $1 }
        env["XAI_EXPERIMENT"] = "exp.yaml"
        env["PATH"] = Self.executable.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        if let index { env["JOB_COMPLETION_INDEX"] = String(index) }
        process.environment = env
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Four pods for three images: one part is empty and its pod succeeds doing nothing.
    func testIndexedJobThenAssembleEqualASingleRun() throws {
        let shards = try job("shards-job.yaml"), assemble = try job("assemble-job.yaml")
        XCTAssertEqual(shards.spec["completionMode"] as? String, "Indexed")
        let n = try XCTUnwrap(shards.spec["completions"] as? Int)
        XCTAssertEqual(shards.container.environment["XAI_SHARDS"], String(n), "XAI_SHARDS must equal completions")

        let single = try scratchRoot(), dir = try scratchRoot()
        let experiment = """
            schema: 1
            name: k8s-example
            model: efficientnet-lite0
            images: [Experiments/images/chelsea.png, Experiments/images/coffee.png, Experiments/images/rocket.jpg]
            methods:
              gradcam: {}
            """
        for d in [single, dir] { try experiment.write(to: d.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8) }
        XCTAssertEqual(try xai(["run", "exp.yaml"], in: single).status, 0)

        let pods = try (0..<n).map { try start(shards.container, index: $0, in: dir) }
        for p in pods { p.waitUntilExit() }
        XCTAssertEqual(pods.map(\.terminationStatus), [Int32](repeating: 0, count: n))
        let last = try start(assemble.container, index: nil, in: dir)
        last.waitUntilExit()
        XCTAssertEqual(last.terminationStatus, 0)

        let a = single.appendingPathComponent("Outputs/k8s-example"), b = dir.appendingPathComponent("Outputs/k8s-example")
        XCTAssertEqual(try Data(contentsOf: b.appendingPathComponent("manifest.json")),
                       try Data(contentsOf: a.appendingPathComponent("manifest.json")))
    }
}
