import XCTest
import XAIMetrics
import XAICore
import XAIExperiment
import XAITestSupport
import XAIManifest
@testable import XAIPlanner

final class ExperimentRunnerTests: TemporaryDirectoryTestCase {
    func load(window: Int = 16, extra: String = "", otherMethods: String = "integrated_gradients: {steps: 8}") throws -> Experiment {
        try loadFakeExperiment(window: window, extra: extra, otherMethods: otherMethods)
    }

    func testEndToEndRunRerunAndEdit() throws {
        let exp = try load()
        let backend = FakeBackend()
        let runner = try ExperimentRunner(experiment: exp, backend: backend)
        let plan = try runner.plan()
        XCTAssertTrue(plan.items.allSatisfy { $0.reason == .new }, plan.renderText())
        XCTAssertTrue(plan.renderText().contains("chelsea/occlusion"), plan.renderText())

        let first = try runner.run()
        XCTAssertTrue(first.report.succeeded, "\(first.report.failures)")
        let m = first.manifest
        XCTAssertEqual(m.results.count, 4, "2 images x 2 methods")
        XCTAssertEqual(m.predictions.count, 2)
        let r = try XCTUnwrap(m.results.first { $0.image == "chelsea" && $0.method == "occlusion" })
        XCTAssertEqual(r.target.rank, 1)
        XCTAssertEqual(r.mapShape, [4, 4])
        XCTAssertNotNil(r.metrics["deletion"])
        let map = try NPY.read(first.folder.appendingPathComponent(r.map))
        XCTAssertEqual(map.shape, [4, 4])
        XCTAssertTrue(FileManager.default.fileExists(atPath: first.folder.appendingPathComponent(r.overlay!).path))
        XCTAssertEqual(try Manifest.read(from: first.folder), m)

        // Unchanged: nothing runs, everything cached.
        backend.calls.removeAll()
        let second = try ExperimentRunner(experiment: try load(), backend: backend).run()
        XCTAssertEqual(backend.calls, [])
        XCTAssertEqual(second.report.summary["ran"] ?? [], [])
        XCTAssertEqual(try Data(contentsOf: second.folder.appendingPathComponent("manifest.json")),
                       try m.encoded(), "a manifest from the cache is the computed one, byte for byte")

        // One parameter changed: only its explanations, overlays and metrics run again.
        backend.calls.removeAll()
        let edited = try ExperimentRunner(experiment: try load(window: 24), backend: backend)
        let p = try edited.plan()
        let runs = p.items.filter { $0.reason.willRun }
        XCTAssertEqual(Set(runs.map(\.task.kind)), [.explain, .render, .metric])
        XCTAssertTrue(runs.filter { $0.task.kind == .explain }.allSatisfy {
            $0.reason == .parametersChanged("window 16 -> 24") }, p.renderText())
        let third = try edited.run()
        XCTAssertEqual(backend.calls.filter { $0.hasPrefix("explain") }.sorted(), ["explain occlusion", "explain occlusion"])
        XCTAssertFalse(backend.calls.contains { $0.hasPrefix("decode") || $0 == "predict" })
        let ran = Set(third.report.summary["ran"] ?? [])
        XCTAssertEqual(third.manifest.results.filter { ran.contains($0.task) }.map(\.method), ["occlusion", "occlusion"])
    }

    /// With `top_k: 2` a method explains both classes, but DFF, whose result does not depend on
    /// the class, runs once per image.
    func testClassIndependentMethodsRunOncePerImage() throws {
        let exp = try load(extra: "top_k: 2", otherMethods: "dff: {concepts: 2, target_layer: features}")
        let backend = FakeBackend()
        let result = try ExperimentRunner(experiment: exp, backend: backend).run()
        XCTAssertTrue(result.report.succeeded, "\(result.report.failures)")
        XCTAssertEqual(backend.calls.filter { $0.hasPrefix("explain") }.sorted(),
                       ["explain dff", "explain dff"] + Array(repeating: "explain occlusion", count: 4))
        let ranks = result.manifest.results.map { "\($0.method) \($0.target.rank)" }.sorted()
        XCTAssertEqual(ranks, ["dff 1", "dff 1", "occlusion 1", "occlusion 1", "occlusion 2", "occlusion 2"])
    }

    func testFailingTaskIsReportedAndOthersFinish() throws {
        let exp = try load()
        let backend = FakeBackend()
        backend.failOn = ["integrated_gradients"]
        let result = try ExperimentRunner(experiment: exp, backend: backend)
            .run(RunOptions(executor: ExecutorOptions(keepGoing: true)))
        XCTAssertFalse(result.report.succeeded)
        XCTAssertEqual(result.manifest.failures.count, 2)
        XCTAssertTrue(result.manifest.failures[0].message.contains("NaN"), result.manifest.failures[0].message)
        XCTAssertEqual(result.manifest.failures[0].method, "integrated_gradients")
        XCTAssertEqual(result.manifest.results.map(\.method), ["occlusion", "occlusion"])
    }

    func testOutputFolderIsLockedDuringARun() throws {
        let exp = try load()
        let runner = try ExperimentRunner(experiment: exp, backend: FakeBackend())
        let held = try OutputLock(folder: runner.folder)
        XCTAssertThrowsError(try runner.run()) { XCTAssertTrue("\($0)".contains("is writing this output folder")) }
        held.unlock()
        XCTAssertNoThrow(try runner.run())
    }
}

/// Metrics share pictures through the names the runner gives what they read: the image as the
/// model sees it is named by its prediction entry's key (the same for every method), the map by
/// its explanation entry's key.
final class MetricInputNameTests: TemporaryDirectoryTestCase {
    func testMetricsReadTheImageNamedByItsPredictionAndTheMapByItsExplanation() throws {
        let exp = try loadFakeExperiment(window: 16, extra: "", otherMethods: "integrated_gradients: {steps: 8}")
        let backend = FakeBackend()
        let runner = try ExperimentRunner(experiment: exp, backend: backend)
        let result = try runner.run()
        XCTAssertTrue(result.report.succeeded, "\(result.report.failures)")
        let graph = try runner.buildGraph()
        let predictKeys = Set(graph.graph.tasks.values.filter { $0.kind == .predict }.map(\.key.hex))
        let explainKeys = Set(graph.graph.tasks.values.filter { $0.kind == .explain }.map(\.key.hex))
        let names = backend.metricInputNames
        XCTAssertFalse(names.isEmpty)
        XCTAssertEqual(Set(names.compactMap(\.image)), predictKeys, "every image named by its prediction, each image once")
        XCTAssertEqual(Set(names.compactMap(\.explanation)), explainKeys, "every map named by its explanation")
        XCTAssertEqual(names.filter { $0.image == nil || $0.explanation == nil }.count, 0)
    }
}
