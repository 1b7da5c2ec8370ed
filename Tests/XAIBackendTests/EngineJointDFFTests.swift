import XCTest
import XAICore
import XAIExperiment
import XAIMethods
import XAIBackend
import XAIManifest
import XAIPlanner
import XAITestSupport

/// Joint DFF end to end on the embedded model (EfficientNet-Lite0) and two sample images,
/// through the production backend.
final class EngineJointDFFTests: TemporaryDirectoryTestCase {
    func load() throws -> Experiment {
        try loadWithRepositoryFiles("""
        schema: 1
        name: joint-engine
        model: efficientnet-lite0
        images: [Experiments/images/chelsea.png, Experiments/images/coffee.png]
        methods:
          dff: {concepts: 3, iterations: 40, joint: true}
        """)
    }

    func testJointDFFOnTheEmbeddedModel() throws {
        let first = try ExperimentRunner(experiment: try load(), backend: EngineBackend()).run()
        XCTAssertTrue(first.report.succeeded, "\(first.report.failures)")
        let rs = first.manifest.results
        XCTAssertEqual(rs.map(\.image), ["chelsea", "coffee"])
        XCTAssertEqual(Set(rs.map(\.key)).count, 1, "one joint task")
        XCTAssertEqual(rs[0].legend, rs[1].legend, "one legend for both images")
        XCTAssertEqual(rs[0].legend.map(\.index), [0, 1, 2])
        for (j, entry) in rs[0].legend.enumerated() {
            let c = DeepFeatureFactorization.conceptColor(j, of: 3)
            XCTAssertEqual(entry.color, [c.0, c.1, c.2], "concept \(j) has the same colour everywhere")
            XCTAssertEqual(entry.labels.count, 3)
        }
        var totals = [Float](repeating: 0, count: 3)
        for r in rs {
            XCTAssertEqual(r.params["joint"], .bool(true))
            XCTAssertEqual(r.scalars["images_factorised"], 2)
            let map = try NPY.read(first.folder.appendingPathComponent(r.map))
            XCTAssertEqual(map.shape, [3, 224, 224])
            XCTAssertEqual(r.mapShape, [3, 224, 224])
            XCTAssertTrue(map.data.allSatisfy { $0 >= 0 && $0.isFinite }, "concept maps are non-negative")
            let low = try NPY.read(first.folder.appendingPathComponent(try XCTUnwrap(r.arrays["low_resolution"])))
            XCTAssertEqual(low.shape.first, 3)
            let plane = low.count / 3
            for k in 0..<3 { totals[k] = max(totals[k], low.data[(k * plane)..<((k + 1) * plane)].max() ?? 0) }
            let concepts = try XCTUnwrap(r.pictures["concepts"])
            XCTAssertTrue(FileManager.default.fileExists(atPath: first.folder.appendingPathComponent(concepts).path))
        }
        // Concepts are scaled to peak at 1 over the images factorised together (2, per the scalar above).
        print("joint DFF concept peaks over both images: \(totals)")
        for t in totals { XCTAssertEqual(t, 1, accuracy: 1e-6) }

        let second = try ExperimentRunner(experiment: try load(), backend: EngineBackend()).run()
        XCTAssertEqual(second.report.summary["ran"] ?? [], [], "re-running computes nothing")
        XCTAssertEqual(second.manifest, first.manifest)
    }
}
