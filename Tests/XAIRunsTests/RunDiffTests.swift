import Foundation
import XCTest
import XAICore
import XAIExperiment
import XAIImaging
import XAIManifest
import XAIMetrics
import XAIPlanner
import XAITestSupport
@testable import XAIDiff
@testable import XAIRuns

/// A stand-in for the engine: a map is the image's first channel, negated when IG runs with
/// 16 steps, so the two runs of a `--set integrated_gradients.steps` change rank exactly reversed.
private final class SignFlipBackend: PipelineBackend, @unchecked Sendable {
    func decode(image: ImageSpec, model: ModelSpec) throws -> DecodedImage {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path)).suffix(512))
        // Distinct values, so the ranks have no ties and reversing them gives rho = -1 exactly.
        let px = (0..<48).map { Float(bytes[$0 * 7 % bytes.count]) / 255 + Float($0) * 1e-3 }
        return DecodedImage(originalWidth: 4, originalHeight: 4, cropped: Tensor(shape: [3, 4, 4], data: px),
                            input: Tensor(shape: [1, 3, 4, 4], data: px))
    }

    func classes(model: ModelSpec) throws -> ClassLabels { ClassLabels(names: ["cat", "dog"], classCount: 2, origin: .given) }
    func predict(model: ModelSpec, input: Tensor) throws -> [Float] { [0.75, 0.25] }

    func explain(run: MethodRun, model: ModelSpec, targetLayer: String?, image: DecodedImage, target: Int, seed: UInt64,
                 contentKey: String, progress: @escaping @Sendable (Double) -> Void) throws -> ExplanationData {
        let sign: Float = run.params["steps"]?.intValue == 16 ? -1 : 1
        return ExplanationData(map: Tensor(shape: [4, 4], data: image.cropped.data[0..<16].map { $0 * sign }), signed: true)
    }

    func explainJointly(run: MethodRun, model: ModelSpec, targetLayer: String?, images: [DecodedImage], targets: [Int],
                        seed: UInt64, contentKeys: [String],
                        progress: @escaping @Sendable (Double) -> Void) throws -> [ExplanationData] { [] }

    /// The metric is the map's maximum, so its delta is known.
    func metric(_ metric: MetricSpec, run: MethodRun, model: ModelSpec, image: DecodedImage,
                explanation: ExplanationData, annotation: Annotation?, target: Int,
                seed: UInt64) throws -> Manifest.MetricValue {
        Manifest.MetricValue(value: Double(explanation.map.maxValue))
    }

    func render(map: Tensor, signed: Bool, image: DecodedImage, run: MethodRun) throws -> RenderedOverlay {
        let png = try ImageIO.encodePNG(Overlay.colorize(map.data, width: 4, height: 4).image)
        return RenderedOverlay(png: Data(png), scale: Manifest.Scale(colormap: "jet", lo: 0, hi: 1, signed: true, caption: ""))
    }
}

final class RunDiffTests: TemporaryDirectoryTestCase {
    let yaml = """
        schema: 1
        name: diffed
        model: efficientnet-lite0
        images: [Experiments/images/chelsea.png, Experiments/images/coffee.png]
        methods:
          integrated_gradients: {steps: 16}
        metrics: [sparseness]
        """

    /// Runs the experiment with `overrides` and records it as run `id`.
    func recordRun(_ id: String, overrides: [String], store: RunStore) throws -> DiffSide {
        _ = try loadWithRepositoryFiles(yaml)
        let experiment = try ExperimentLoader.load(path: tmp.appendingPathComponent("exp.yaml").path, catalogue: .standard,
                                                   overrides: overrides, baseDirectory: tmp.path)
        let result = try ExperimentRunner(experiment: experiment, backend: SignFlipBackend()).run()
        XCTAssertTrue(result.report.succeeded, "\(result.report.failures)")
        try store.record(RunRecord.make(id: id, result: result, file: "exp.yaml", overrides: overrides,
                                        startedAt: Date(), endedAt: Date(), git: nil))
        return try DiffSide(record: XCTUnwrap(store.run(id: id)), store: store)
    }

    func testTwoRecordedRunsDiffPerImageWithFilesAndSummaries() throws {
        let outputs = tmp.appendingPathComponent("Outputs")
        let store = try RunStore(outputs: outputs)
        let a = try recordRun("20260101-000000-000a", overrides: [], store: store)
        let b = try recordRun("20260101-000001-000b", overrides: ["integrated_gradients.steps=32"], store: store)
        XCTAssertEqual(b.record.overrides, ["integrated_gradients.steps=32"])
        XCTAssertEqual(b.record.cachedCount, 4, "decode and predict of two images come from the first run")
        XCTAssertEqual(try store.runs(experiment: "diffed").map(\.id), [b.record.id, a.record.id])

        let folder = outputs.appendingPathComponent("diffs/x")
        let diff = try RunDiff.compute(a, b, cache: CacheStore(outputs: outputs), options: DiffOptions(), folder: folder)
        try diff.write(to: folder)
        XCTAssertEqual(diff.pairs.map(\.image), ["chelsea", "coffee"])
        XCTAssertEqual(diff.unmatched, [])
        for p in diff.pairs {
            XCTAssertNil(p.note)
            XCTAssertEqual(p.spearman, -1, "the second run's maps are the first's negated")
            XCTAssertEqual(p.iou, 0, "top 10% of a map and of its negation are disjoint")
            let m = try XCTUnwrap(p.metrics["sparseness"])
            XCTAssertEqual(m.delta, m.b - m.a)
            let pictures = try XCTUnwrap(p.pictures)
            for path in [pictures.overlayA, pictures.overlayB, pictures.difference] {
                let png = try Data(contentsOf: folder.appendingPathComponent(try XCTUnwrap(path)))
                XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            }
        }
        let spearman = try XCTUnwrap(diff.summaries.first { $0.quantity == "spearman" })
        XCTAssertEqual(spearman.run, "integrated_gradients")
        XCTAssertEqual(spearman.count, 2)
        XCTAssertEqual(spearman.mean, -1)
        XCTAssertEqual(Set(diff.summaries.map(\.quantity)), ["spearman", "iou", "delta sparseness"])

        let decoded = try JSONDecoder().decode(RunDiff.self, from: Data(contentsOf: folder.appendingPathComponent("diff.json")))
        XCTAssertEqual(decoded, diff)
        let csv = try String(contentsOf: folder.appendingPathComponent("diff.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("image,model_a,model_b,run,method,rank,spearman,iou_top10.0pct,sparseness a,"), csv)
        XCTAssertEqual(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 3)
        let html = try String(contentsOf: folder.appendingPathComponent("diff.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("src=\"pairs/0000-difference.png\""), html)
        XCTAssertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"))
    }

    /// A result whose cache entry is gone is listed with a note, not an error: the rest still compares.
    func testAMapRemovedFromTheCacheBecomesANote() throws {
        let outputs = tmp.appendingPathComponent("Outputs")
        let store = try RunStore(outputs: outputs)
        let a = try recordRun("20260101-000000-000a", overrides: [], store: store)
        let b = try recordRun("20260101-000001-000b", overrides: ["integrated_gradients.steps=32"], store: store)
        let cache = try CacheStore(outputs: outputs)
        let folder = tmp.appendingPathComponent("d")
        let before = try RunDiff.compute(a, b, cache: cache, options: DiffOptions(topK: 50), folder: folder)
        let stale = folder.appendingPathComponent(try XCTUnwrap(before.pairs[0].pictures?.difference))
        XCTAssertTrue(FileManager.default.fileExists(atPath: stale.path))
        try cache.remove(CacheKey(hex: a.manifest.results[0].key))
        let diff = try RunDiff.compute(a, b, cache: cache, options: DiffOptions(topK: 50), folder: folder)
        XCTAssertNil(diff.pairs[0].spearman)
        XCTAssertNil(diff.pairs[0].pictures)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path), "the earlier diff's picture of that pair is gone")
        XCTAssertTrue(diff.pairs[0].note?.contains("xai runs pin") == true, diff.pairs[0].note ?? "")
        XCTAssertEqual(diff.pairs[1].spearman, -1)
        XCTAssertThrowsError(try RunDiff.compute(a, b, cache: cache, options: DiffOptions(topK: 0), folder: tmp))
    }
}
