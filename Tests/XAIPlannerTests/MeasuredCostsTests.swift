import XCTest
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// Shard balancing refined by the seconds the cache recorded, frozen in one file for every shard.
final class MeasuredCostsTests: TemporaryDirectoryTestCase {
    private func runner() throws -> ExperimentRunner {
        try ExperimentRunner(experiment: try loadFakeExperiment(), backend: FakeBackend(),
                             folder: tmp.appendingPathComponent("Outputs/demo"))
    }

    /// Measured classes cost their milliseconds; the others their units times the measured
    /// milliseconds per unit of the measured ones (occlusion: 2 s for its units).
    func testMeasuredSecondsRescaleTheEstimates() throws {
        let eg = try runner().buildGraph()
        let plain = TaskCost(eg)
        let occlusion = try XCTUnwrap(eg.graph.tasks.values.first { $0.kind == .explain && $0.labels["method"] == "occlusion" })
        let measured = MeasuredCosts(seconds: [MeasuredCosts.costClass(occlusion): 2.0])
        let refined = TaskCost(eg, measured: measured)
        for t in eg.graph.tasks.values {
            if MeasuredCosts.costClass(t) == MeasuredCosts.costClass(occlusion) {
                XCTAssertEqual(refined[t.id], 2000, t.id)
            } else {
                XCTAssertEqual(refined[t.id], Int((Double(plain[t.id]) * 2000 / Double(plain[occlusion.id])).rounded()), t.id)
            }
        }
        XCTAssertEqual(TaskCost(eg, measured: MeasuredCosts()).units, plain.units, "nothing measured: the estimates")
    }

    /// After a run, the cache's entries give each class of the plan its mean recorded seconds;
    /// the table survives its file byte for byte, and a damaged file is refused by name.
    func testARunsEntriesGiveEachClassItsMeanSeconds() throws {
        let r = try runner()
        XCTAssertEqual(try r.measuredCosts(), MeasuredCosts(), "an empty cache measures nothing")
        XCTAssertTrue(try r.run().report.succeeded)
        let measured = try r.measuredCosts()
        let eg = try r.buildGraph()
        var expected = [String: [Double]]()
        for t in eg.graph.tasks.values {
            let meta = try XCTUnwrap(r.cache.lookup(t.key)?.meta)
            XCTAssertEqual(meta.costClass, MeasuredCosts.costClass(t))
            if meta.seconds > 0 { expected[MeasuredCosts.costClass(t), default: []].append(meta.seconds) }
        }
        XCTAssertEqual(Set(measured.seconds.keys), Set(expected.keys))
        for (cls, values) in expected {
            XCTAssertEqual(measured.seconds[cls]!, values.reduce(0, +) / Double(values.count), accuracy: 1e-12, cls)
        }
        let file = tmp.appendingPathComponent("costs.json")
        try measured.write(to: file)
        XCTAssertEqual(try MeasuredCosts(contentsOf: file), measured)
        try Data("{\"seconds\": {\"x\": -1}}".utf8).write(to: file)
        XCTAssertThrowsError(try MeasuredCosts(contentsOf: file)) { XCTAssertTrue("\($0)".contains("costs.json"), "\($0)") }
        // Shards given the table compute the same parts whatever the cache holds meanwhile.
        let a = try r.shardsWithWorkLeft(count: 2, costs: measured)
        XCTAssertEqual(a, [], "everything is cached")
    }
}
