import XCTest
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// `xai gc` while a run is going (issue 14, item 9): gc takes the cache's use lock exclusively,
/// so it removes nothing while any run holds it shared, and the run finishes intact.
final class CacheGCDuringRunTests: TemporaryDirectoryTestCase {
    func testGCRefusesWhileARunHoldsTheCacheAndRemovesAfterwards() throws {
        let store = try CacheStore(outputs: tmp)
        let key = CacheKey(kind: "explain", params: [:], seed: nil, inputs: [:], dependencies: [], version: 1)
        try store.commit(key, files: ["map.npy": Data([1])],
                         meta: CacheEntryMeta(key: key, kind: "explain", task: "t", params: [:]))
        var run: CacheUseLock? = try CacheUseLock(store, mode: .shared)
        let other = try CacheUseLock(store, mode: .shared)
        other.unlock()
        XCTAssertThrowsError(try store.gc(keeping: [], dryRun: false)) {
            XCTAssertEqual($0 as? PlannerError, .cacheInUse(cache: store.root.path))
            XCTAssertTrue("\($0)".contains("run gc again when"), "\($0)")
        }
        XCTAssertEqual(store.allKeys(), [key], "nothing removed while a run holds the cache")
        XCTAssertEqual(try store.gc(keeping: [], dryRun: true).removedEntries, [key], "a dry run only lists")
        XCTAssertNotNil(run)
        run = nil
        XCTAssertEqual(try store.gc(keeping: [], dryRun: false).removedEntries, [key])
        XCTAssertEqual(store.allKeys(), [])
    }

    /// A real run, held inside its first explanation, while gc runs for another experiment (so
    /// it would drop every entry of this one).
    func testGCDuringARealRunRemovesNothingAndTheRunSucceeds() throws {
        let backend = FakeBackend()
        let entered = DispatchSemaphore(value: 0), resume = DispatchSemaphore(value: 0)
        let first = NSLock()  // held by the first explanation for good: later ones pass
        backend.beforeExplain = {
            guard first.try() else { return }
            entered.signal()
            resume.wait()
        }
        let runner = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: backend, folder: nil)
        let outcome = Outcome()
        let thread = Thread {
            outcome.set(Result { try runner.run(RunOptions(executor: ExecutorOptions(jobs: 1))) })
        }
        thread.start()
        entered.wait()
        let before = runner.cache.allKeys()
        XCTAssertFalse(before.isEmpty, "the run has committed decode and predict entries")
        XCTAssertThrowsError(try runner.cache.gc(keeping: [], dryRun: false)) {
            XCTAssertEqual($0 as? PlannerError, .cacheInUse(cache: runner.cache.root.path))
        }
        XCTAssertEqual(runner.cache.allKeys(), before)
        resume.signal()
        let result = try outcome.wait().get()
        XCTAssertTrue(result.report.succeeded, "\(result.report.failures)")
        XCTAssertEqual(result.manifest.results.count, 4)
        XCTAssertFalse(try runner.cache.gc(keeping: [], dryRun: false).removedEntries.isEmpty, "gc runs once the run is done")
    }

    /// The result of a run on another thread.
    final class Outcome: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: Result<RunResult, Error>?
        func set(_ r: Result<RunResult, Error>) { result = r; done.signal() }
        func wait() -> Result<RunResult, Error> { done.wait(); return result! }
    }
}
