import XCTest
import XAICore
import XAIExperiment
import XAIBackend
import XAIManifest
import XAIPlanner
import XAITestSupport

/// Metric values do not depend on how a run was split: a run interrupted after some methods
/// and resumed from the cache gives exactly the values of one uninterrupted run (real engine,
/// embedded model).
final class MetricResumeTests: TemporaryDirectoryTestCase {
    func load() throws -> Experiment {
        try loadWithRepositoryFiles("""
        schema: 1
        name: metric-resume
        model: efficientnet-lite0
        images: [Experiments/images/chelsea.png]
        methods:
          gradcam: {}
          occlusion: {window: 112, stride: 112}
        metrics:
          - deletion: {steps: 5}
          - confidence_drop
          - localisation
          - road: {fractions: [0.5]}
        annotations:
          chelsea: [[20, 0, 390, 300]]
        """)
    }

    private func metrics(_ r: RunResult) -> [String: Manifest.MetricValue] {
        var all: [String: Manifest.MetricValue] = [:]
        for entry in r.manifest.results {
            for (id, v) in entry.metrics { all["\(entry.instance)/\(id)"] = v }
        }
        return all
    }

    func testResumedRunGivesTheValuesOfOneRun() throws {
        // Interrupted after Grad-CAM, then resumed: occlusion and its metrics computed now.
        let partial = try ExperimentRunner(experiment: try load(), backend: EngineBackend()).run(RunOptions(only: ["gradcam"]))
        XCTAssertTrue(partial.report.succeeded, "\(partial.report.failures)")
        let resumed = try ExperimentRunner(experiment: try load(), backend: EngineBackend()).run()
        XCTAssertTrue(resumed.report.succeeded)
        XCTAssertTrue(resumed.manifest.results.contains { resumed.report.summary["cached", default: []].contains($0.task) },
                      "Grad-CAM comes from the cache")

        // The same file in one go, from an empty cache.
        try FileManager.default.removeItem(at: tmp.appendingPathComponent("Outputs"))
        let whole = try ExperimentRunner(experiment: try load(), backend: EngineBackend()).run()
        XCTAssertEqual(whole.report.summary["cached"] ?? [], [], "nothing cached in an empty cache")

        let a = metrics(resumed), b = metrics(whole)
        XCTAssertEqual(a.count, 8, "2 methods x 4 metrics")
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        var worst = 0.0
        for (id, v) in a { worst = max(worst, abs(v.value - (b[id]?.value ?? .nan))) }
        print("metric values, resumed vs one run: max diff \(worst)")
        XCTAssertEqual(a, b)
    }
}
