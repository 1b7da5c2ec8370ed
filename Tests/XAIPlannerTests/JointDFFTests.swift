import XCTest
import XAIMetrics
import XAICore
import XAIExperiment
import XAITestSupport
import XAIManifest
@testable import XAIPlanner

/// `dff: {joint: true}`: one task over every image, per-image results that share one legend.
final class JointDFFTests: TemporaryDirectoryTestCase {
    func write(_ text: String, _ name: String) throws -> String {
        let url = tmp.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Three images, a joint DFF swept over `concepts`, a per-image occlusion and one metric.
    func load(concepts: [Int] = [2, 3], images: [String: String] = [:], folder: String = "images") throws -> Experiment {
        _ = try write("fake model bytes", "m.onnx")
        let pictures = images.isEmpty ? ["chelsea": "kitten pixels", "coffee": "coffee pixels!", "rocket": "rocket px"] : images
        for (name, bytes) in pictures { _ = try write(bytes, "\(folder)/\(name).png") }
        let yaml = """
        schema: 1
        name: joint
        model: {path: m.onnx, labels: [cat, dog, cup, car], target_layer: head, preprocess: {resize: 4, crop: 4, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}}
        images: [\(folder)]
        methods:
          dff: {joint: true}
          occlusion: {window: 2, stride: 2}
        sweep:
          dff.concepts: [\(concepts.map(String.init).joined(separator: ", "))]
        metrics: [deletion]
        """
        return try ExperimentLoader.load(path: try write(yaml, "exp.yaml"), catalogue: .standard, baseDirectory: tmp.path, outputsRoot: "Outputs")
    }

    func testJointInstanceIsOneTaskPerSweepPointDependingOnEveryImage() throws {
        let exp = try load()
        let eg = try ExperimentGraph(experiment: exp, hasher: FileHasher(memoURL: nil))
        let dff = eg.graph.tasks.values.filter { $0.kind == .explain && $0.labels["method"] == "dff" }
        XCTAssertEqual(dff.map(\.id).sorted(), ["*/dff@concepts=2", "*/dff@concepts=3"])
        let decodes = eg.graph.tasks.values.filter { $0.kind == .decode }.map(\.id)
        let predicts = eg.graph.tasks.values.filter { $0.kind == .predict }.map(\.id)
        XCTAssertEqual(decodes.count, 3)
        for t in dff {
            XCTAssertEqual(Set(t.dependencies), Set(decodes + predicts), t.id)
            XCTAssertEqual(t.params["joint"], "true")
            // Every image's content hash, in hash order.
            let hashes = exp.images.map { eg.imageHashes[$0.id]! }.sorted()
            XCTAssertEqual(t.inputs.filter { $0.key.hasPrefix("image.") }.sorted { $0.key < $1.key }.map(\.value), hashes)
        }
        let j = try XCTUnwrap(eg.joints["*/dff@concepts=2"])
        XCTAssertEqual(j.members.map { eg.imageHashes[$0.image.id]! }, j.members.map { eg.imageHashes[$0.image.id]! }.sorted())
        // Per image: one result, its own overlay and metric tasks, all reading the joint task.
        let entries = eg.explanations.filter { $0.run.kind.rawValue == "dff" }
        XCTAssertEqual(entries.count, 6, "3 images x 2 sweep points")
        XCTAssertEqual(Set(entries.compactMap(\.jointSlot)), [0, 1, 2])
        for e in entries {
            XCTAssertTrue(eg.graph[e.renderTask]!.dependencies.contains(e.explainTask))
            XCTAssertTrue(eg.graph[e.metricTasks["deletion"]!]!.dependencies.contains(e.explainTask))
        }
        // Occlusion stays one task per image.
        XCTAssertEqual(eg.graph.tasks.values.filter { $0.labels["method"] == "occlusion" && $0.kind == .explain }.count, 3)

        // Renaming an image (same bytes) keeps the joint key; changing one image's bytes changes it.
        let renamedExp = try load(images: ["cat": "kitten pixels", "coffee": "coffee pixels!", "rocket": "rocket px"], folder: "renamed")
        let renamed = try ExperimentGraph(experiment: renamedExp, hasher: FileHasher(memoURL: nil))
        XCTAssertEqual(renamed.graph["*/dff@concepts=2"]?.key, eg.graph["*/dff@concepts=2"]?.key)
        let changed = try ExperimentGraph(experiment: try load(images: ["chelsea": "kitten pixels", "coffee": "other", "rocket": "rocket px"],
                                                                folder: "changed"),
                                          hasher: FileHasher(memoURL: nil))
        XCTAssertNotEqual(changed.graph["*/dff@concepts=2"]?.key, eg.graph["*/dff@concepts=2"]?.key)
    }

    /// Every task has the payload of its kind; the overlay and metrics of a joint explanation read
    /// its task at the image's slot, and a task runs with the target layer its key names.
    func testPayloadsDescribeEveryTask() throws {
        let eg = try ExperimentGraph(experiment: try load(), hasher: FileHasher(memoURL: nil))
        for t in eg.graph.tasks.values {
            if let j = eg.joints[t.id] {
                XCTAssertEqual(j.targetLayer, "head")
                XCTAssertEqual(j.targetLayer, t.params["target_layer"])
                continue
            }
            let payload = try XCTUnwrap(eg.payloads[t.id], t.id)
            XCTAssertEqual(payload.kind, t.kind, t.id)
            if case let .explain(task) = payload { XCTAssertEqual(task.targetLayer, t.params["target_layer"], t.id) }
        }
        XCTAssertEqual(eg.payloads.count + eg.joints.count, eg.graph.count)
        for e in eg.explanations {
            guard case let .render(render) = eg.payloads[e.renderTask],
                  case let .metric(metric) = eg.payloads[try XCTUnwrap(e.metricTasks["deletion"])] else {
                XCTFail("\(e.renderTask): no render or metric payload")
                continue
            }
            XCTAssertEqual(render.explanation, e.source)
            XCTAssertEqual(metric.explanation, e.source)
            XCTAssertEqual(render.decodeTask, e.decodeTask)
            XCTAssertEqual(metric.image, e.image)
            XCTAssertEqual(e.source.slot != nil, e.explainTask.hasPrefix("*/"), "only joint explanations have slots")
        }
    }

    func testJointRunWritesPerImageResultsWithOneLegendAndRerunsFromTheCache() throws {
        let backend = FakeBackend()
        let first = try ExperimentRunner(experiment: try load(), backend: backend).run()
        XCTAssertTrue(first.report.succeeded, "\(first.report.failures)")
        XCTAssertEqual(backend.calls.filter { $0.hasPrefix("joint") }.sorted(), ["joint dff@concepts=2 3", "joint dff@concepts=3 3"])
        XCTAssertFalse(backend.calls.contains { $0.hasPrefix("explain dff") })
        let dff = first.manifest.results.filter { $0.method == "dff" }
        XCTAssertEqual(dff.count, 6)
        for run in ["dff@concepts=2", "dff@concepts=3"] {
            let rs = dff.filter { $0.run == run }
            XCTAssertEqual(rs.map(\.image).sorted(), ["chelsea", "coffee", "rocket"])
            XCTAssertEqual(Set(rs.map(\.key)).count, 1, "one joint task")
            XCTAssertEqual(Set(rs.map(\.task)), ["*/\(run)"])
            XCTAssertTrue(rs.allSatisfy { $0.legend == rs[0].legend && !$0.legend.isEmpty })
            XCTAssertTrue(rs.allSatisfy { $0.params["joint"] == .bool(true) })
            XCTAssertEqual(Set(rs.map(\.map)).count, 3, "a map per image")
            for r in rs {
                XCTAssertEqual(r.mapShape, [2, 4, 4])
                let map = try NPY.read(first.folder.appendingPathComponent(r.map))
                XCTAssertEqual(map.shape, [2, 4, 4])
                XCTAssertEqual(r.map, "maps/\(r.image)/\(run).npy")
                XCTAssertNotNil(r.metrics["deletion"])
                let concepts = try XCTUnwrap(r.pictures["concepts"])
                XCTAssertTrue(FileManager.default.fileExists(atPath: first.folder.appendingPathComponent(concepts).path))
                XCTAssertNotNil(r.overlay)
            }
        }

        backend.calls.removeAll()
        let second = try ExperimentRunner(experiment: try load(), backend: backend).run()
        XCTAssertEqual(backend.calls, [], "an unchanged file runs nothing")
        XCTAssertEqual(second.manifest, first.manifest)
        XCTAssertEqual(second.report.summary["ran"] ?? [], [])
    }
}
