import XCTest
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// `xai run FILE --shard K/N`: the partition, concurrent shards on one cache, and the final run.
final class ShardTests: TemporaryDirectoryTestCase {
    private func graph(extra: String = "", other: String = "integrated_gradients: {steps: 8}") throws -> ExperimentGraph {
        try ExperimentRunner(experiment: try loadFakeExperiment(extra: extra, otherMethods: other),
                             backend: FakeBackend()).buildGraph()
    }

    func testPartitionIsDeterministicCompleteKeepsDependenciesTogetherAndIsBalanced() throws {
        let eg = try graph(extra: "top_k: 2")
        let a = ShardPartition(eg, count: 3), b = ShardPartition(try graph(extra: "top_k: 2"), count: 3)
        XCTAssertEqual(a.parts, b.parts, "the same plan gives the same parts")
        var seen = [String: Int]()
        for (k, part) in a.parts.enumerated() { for id in part { seen[id, default: 0] += 1; _ = k } }
        XCTAssertEqual(Set(seen.keys), Set(eg.graph.tasks.keys), "every task is in a part")
        XCTAssertTrue(seen.values.allSatisfy { $0 == 1 }, "no task is in two parts")
        for part in a.parts {
            for id in part { XCTAssertTrue(Set(eg.graph.tasks[id]!.dependencies).isSubset(of: part), "\(id)'s dependencies") }
        }
        XCTAssertEqual(a.assemble, [])
        // Two images: two groups of equal cost, one per part; the third part is empty.
        let cost = TaskCost(eg)
        let total = eg.graph.tasks.keys.reduce(0) { $0 + cost[$1] }
        XCTAssertEqual(a.costs.reduce(0, +), total)
        XCTAssertEqual(a.costs.sorted(), [0, total / 2, total / 2])
    }

    func testJointTasksAndTheirDependentsGoToTheFinalRun() throws {
        let eg = try graph(other: "dff: {concepts: 2, target_layer: features, joint: true}")
        let p = ShardPartition(eg, count: 2)
        let joint = try XCTUnwrap(eg.joints.keys.first)
        XCTAssertTrue(p.assemble.contains(joint))
        XCTAssertEqual(p.assemble, Set([joint] + eg.graph.transitiveDependents(of: joint)))
        XCTAssertTrue(p.parts.allSatisfy { $0.isDisjoint(with: p.assemble) })
        XCTAssertEqual(p.parts[0].union(p.parts[1]).union(p.assemble), Set(eg.graph.tasks.keys))
    }

    /// Three shards at once on one cache, then the final run: the manifest and maps are those of
    /// a single run, byte for byte, and the shards computed each task once.
    func testConcurrentShardsThenAssembleEqualASingleRun() throws {
        let single = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: FakeBackend(),
                                          folder: tmp.appendingPathComponent("single/demo")).run()
        XCTAssertTrue(single.report.succeeded)
        let shardedFolder = tmp.appendingPathComponent("sharded/demo")
        let results = Locked([ShardResult]())
        let experiment = try loadFakeExperiment()
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            do {
                let runner = try ExperimentRunner(experiment: experiment, backend: FakeBackend(),
                                                  folder: shardedFolder)
                let r = try runner.runShard(try Shard(index: i + 1, count: 3))
                results.withLock { $0.append(r) }
            } catch {
                XCTFail("shard \(i + 1): \(error)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: shardedFolder.path), "shards write only the cache")
        let ran = results.withLock { $0 }.flatMap { $0.report.summary["ran"] ?? [] }
        XCTAssertEqual(ran.count, Set(ran).count, "no task computed twice")
        XCTAssertEqual(Set(ran), Set(single.report.summary["ran"] ?? []), "the shards did the single run's work")

        let runner = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: FakeBackend(), folder: shardedFolder)
        XCTAssertEqual(try runner.unfinishedShardTasks(), [])
        let assembled = try runner.run()
        XCTAssertEqual(assembled.report.summary["ran"] ?? [], [], "the final run only assembles")
        func bytes(_ folder: URL, _ path: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(path)) }
        XCTAssertEqual(try bytes(assembled.folder, "manifest.json"), try bytes(single.folder, "manifest.json"))
        for r in single.manifest.results {
            XCTAssertEqual(try bytes(assembled.folder, r.map), try bytes(single.folder, r.map), r.map)
        }
    }

    func testAShardRunAgainComputesOnlyWhatItHadNotCommitted() throws {
        let folder = tmp.appendingPathComponent("Outputs/demo")
        let backend = FakeBackend()
        backend.failOn = ["occlusion"]
        let shard = try Shard(index: 1, count: 1)
        let first = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: backend, folder: folder)
            .runShard(shard, options: RunOptions(executor: ExecutorOptions(keepGoing: true)))
        XCTAssertFalse(first.report.succeeded)
        let done = Set(first.report.summary["ran"] ?? [])
        let again = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: FakeBackend(), folder: folder)
            .runShard(shard)
        XCTAssertTrue(again.report.succeeded)
        XCTAssertTrue(Set(again.report.summary["ran"] ?? []).isDisjoint(with: done), "committed tasks are not recomputed")
        XCTAssertEqual(Set(again.report.summary["cached"] ?? []), done)
    }

    /// On a cache shared over NFS, a staging folder of another machine is in use whatever its
    /// pid means here: it is left alone (until it is far older than any task).
    func testStagingFoldersOfOtherMachinesAreKept() throws {
        let store = try CacheStore(root: tmp.appendingPathComponent("cache"))
        let key = CacheKey(kind: "decode", params: [:], seed: nil, inputs: [:], dependencies: [], version: 1)
        let dead = Int32.max - 1
        let foreign = store.temporaryRoot.appendingPathComponent("\(key.hex)-othernode-\(dead)-1")
        let local = store.temporaryRoot.appendingPathComponent("\(key.hex)-\(CacheStore.hostTag)-\(dead)-2")
        for f in [foreign, local] { try FileManager.default.createDirectory(at: f, withIntermediateDirectories: true) }
        XCTAssertEqual(store.removeStaleTemporaries(), [local.lastPathComponent])
        XCTAssertTrue(FileManager.default.fileExists(atPath: foreign.path))
    }

    func testShardSyntax() throws {
        XCTAssertEqual(try Shard(parsing: "2/3"), try Shard(index: 2, count: 3))
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/2/3", "", "1/1000000"] {
            XCTAssertThrowsError(try Shard(parsing: bad), bad)
        }
    }
}

/// A value shared between threads.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func withLock<R>(_ body: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return body(&value) }
}
