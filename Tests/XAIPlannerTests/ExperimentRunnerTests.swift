import XCTest
import XAIMetrics
import XAICore
import XAIExperiment
import XAITestSupport
import XAIManifest
@testable import XAIPlanner

/// A deterministic stand-in for the engine and methods: "images" are their bytes, the model
/// has 4 classes, a map is the input's first channel times (window or steps).
final class FakeBackend: PipelineBackend, @unchecked Sendable {
    let lock = NSLock()
    var calls = [String]()
    var failOn: Set<String> = []

    func note(_ s: String) { lock.lock(); calls.append(s); lock.unlock() }

    func decode(image: ImageSpec, model: ModelSpec) throws -> DecodedImage {
        note("decode \(image.id)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path)))
        let px = (0..<(3 * 4 * 4)).map { Float(bytes[$0 % bytes.count]) / 255 }
        return DecodedImage(originalWidth: 4, originalHeight: 4, cropped: Tensor(shape: [3, 4, 4], data: px),
                            input: Tensor(shape: [1, 3, 4, 4], data: px.map { $0 - 0.5 }), preview: Data([0x89, 1, 2]))
    }

    func labels(model: ModelSpec) throws -> [String] { ["cat", "dog", "cup", "car"] }

    func predict(model: ModelSpec, input: Tensor) throws -> [Float] {
        note("predict")
        let s = input.sum
        let raw: [Float] = [1 + s, 2, 3 - s, 0.5].map { exp($0 / 10) }
        let z = raw.reduce(0, +)
        return raw.map { $0 / z }
    }

    func explain(run: MethodRun, model: ModelSpec, targetLayer: String?, image: DecodedImage, target: Int, seed: UInt64,
                 contentKey: String, progress: @escaping @Sendable (Double) -> Void) throws -> ExplanationData {
        note("explain \(run.id)")
        if failOn.contains(run.id) { return ExplanationData(map: Tensor(shape: [4, 4], repeating: .nan)) }
        let f = Float(run.params["window"]?.intValue ?? run.params["steps"]?.intValue ?? 1)
        let map = Tensor(shape: [4, 4], data: Array(image.cropped.data[0..<16]).map { $0 * f + Float(target) })
        progress(1)
        return ExplanationData(map: map, signed: true, scalars: ["sum": Double(map.sum)],
                               arrays: ["grid": Tensor(shape: [2], data: [1, 2])])
    }

    /// Two concepts per image: the first channel and its complement, with one legend for all.
    func explainJointly(run: MethodRun, model: ModelSpec, targetLayer: String?, images: [DecodedImage], targets: [Int],
                        seed: UInt64, contentKeys: [String],
                        progress: @escaping @Sendable (Double) -> Void) throws -> [ExplanationData] {
        note("joint \(run.id) \(images.count)")
        let legend = [Manifest.LegendEntry(index: 0, color: [1, 0, 0], labels: ["cat"], scores: [0.75]),
                      Manifest.LegendEntry(index: 1, color: [0, 0, 1], labels: ["cup"], scores: [0.5])]
        return images.map { image in
            let a = Array(image.cropped.data[0..<16])
            return ExplanationData(map: Tensor(shape: [2, 4, 4], data: a + a.map { 1 - $0 }),
                                   scalars: ["images_factorised": Double(images.count)],
                                   pictures: ["concepts": Data(a.map { UInt8($0 * 255) })], legend: legend)
        }
    }

    func metric(_ metric: MetricSpec, run: MethodRun, model: ModelSpec, image: DecodedImage,
                explanation: ExplanationData, annotation: Annotation?, target: Int,
                seed: UInt64) throws -> Manifest.MetricValue {
        note("metric \(metric.id)")
        return Manifest.MetricValue(value: Double(explanation.map.maxValue), x: [0, 1], y: [1, 0.5])
    }

    func render(map: Tensor, signed: Bool, image: DecodedImage, run: MethodRun) throws -> RenderedOverlay {
        note("render \(run.id)")
        return RenderedOverlay(png: NPY.encode(map), scale: Manifest.Scale(colormap: "jet", lo: Double(map.minValue),
                                                                            hi: Double(map.maxValue), signed: signed, caption: ""))
    }
}

final class ExperimentRunnerTests: TemporaryDirectoryTestCase {
    func write(_ text: String, _ name: String) throws -> String {
        let url = tmp.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func load(window: Int = 16, extra: String = "", otherMethods: String = "integrated_gradients: {steps: 8}") throws -> Experiment {
        _ = try write("fake model bytes", "m.onnx")
        _ = try write("kitten pixels", "images/chelsea.png")
        _ = try write("coffee pixels!", "images/coffee.png")
        let yaml = """
        schema: 1
        name: demo
        model: {path: m.onnx, labels: [cat, dog, cup, car], preprocess: {resize: 4, crop: 4, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}}
        images: [images]
        target: predicted
        seed: 0
        methods:
          occlusion: {window: \(window), stride: 8}
          \(otherMethods)
        metrics: [deletion]
        \(extra)
        """
        let path = try write(yaml, "exp.yaml")
        do {
            return try ExperimentLoader.load(path: path, catalogue: .standard, baseDirectory: tmp.path, outputsRoot: "Outputs")
        } catch {
            XCTFail("\(error)")
            throw error
        }
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
        XCTAssertFalse(r.cached)
        XCTAssertNotNil(r.metrics["deletion"])
        let map = try NPY.read(first.folder.appendingPathComponent(r.map))
        XCTAssertEqual(map.shape, [4, 4])
        XCTAssertTrue(FileManager.default.fileExists(atPath: first.folder.appendingPathComponent(r.overlay!).path))
        XCTAssertEqual(try Manifest.read(from: first.folder), m)

        // Unchanged: nothing runs, everything cached.
        backend.calls.removeAll()
        let second = try ExperimentRunner(experiment: try load(), backend: backend).run()
        XCTAssertEqual(backend.calls, [])
        XCTAssertTrue(second.manifest.results.allSatisfy(\.cached))

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
        XCTAssertEqual(third.manifest.results.filter { !$0.cached }.map(\.method), ["occlusion", "occlusion"])
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
