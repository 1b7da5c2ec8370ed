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
    /// Images whose predictions are all NaN, as a broken model gives.
    var nanPredictions: Set<String> = []
    private var decodedInputs = [[Float]: String]()  // input -> image id, for `nanPredictions`
    /// Called at the start of every `explain` (e.g. to hold a run mid-way).
    var beforeExplain: (() -> Void)?
    /// The names the runner gave the image and the explanation of each metric call, in order.
    var metricInputNames = [(image: String?, explanation: String?)]()
    /// What `companionFiles` lists for every model (an ONNX model's external data).
    var companions: [String] = []

    func companionFiles(model: ModelSpec) throws -> [String] { companions }

    func note(_ s: String) { lock.lock(); calls.append(s); lock.unlock() }

    func decode(image: ImageSpec, model: ModelSpec) throws -> DecodedImage {
        note("decode \(image.id)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path)))
        let px = (0..<(3 * 4 * 4)).map { Float(bytes[$0 % bytes.count]) / 255 }
        let input = px.map { $0 - 0.5 }
        lock.withLock { decodedInputs[input] = image.id }
        return DecodedImage(originalWidth: 4, originalHeight: 4, cropped: Tensor(shape: [3, 4, 4], data: px),
                            input: Tensor(shape: [1, 3, 4, 4], data: input), preview: Data([0x89, 1, 2]))
    }

    func classes(model: ModelSpec) throws -> ClassLabels { try model.classLabels(classCount: 4) }

    func predict(model: ModelSpec, input: Tensor) throws -> [Float] {
        note("predict")
        if let image = lock.withLock({ decodedInputs[input.data] }), nanPredictions.contains(image) {
            return [Float](repeating: .nan, count: 4)
        }
        let s = input.sum
        let raw: [Float] = [1 + s, 2, 3 - s, 0.5].map { exp($0 / 10) }
        let z = raw.reduce(0, +)
        return raw.map { $0 / z }
    }

    func explain(run: MethodRun, model: ModelSpec, targetLayer: String?, image: DecodedImage, target: Int, seed: UInt64,
                 contentKey: String, progress: @escaping @Sendable (Double) -> Void) throws -> ExplanationData {
        note("explain \(run.id)")
        beforeExplain?()
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
        lock.withLock { metricInputNames.append((image: image.cacheName, explanation: explanation.cacheName)) }
        return Manifest.MetricValue(value: Double(explanation.map.maxValue), x: [0, 1], y: [1, 0.5])
    }

    func render(map: Tensor, signed: Bool, image: DecodedImage, run: MethodRun) throws -> RenderedOverlay {
        note("render \(run.id)")
        return RenderedOverlay(png: NPY.encode(map), scale: Manifest.Scale(colormap: "jet", lo: Double(map.minValue),
                                                                            hi: Double(map.maxValue), signed: signed, caption: ""))
    }
}

extension TemporaryDirectoryTestCase {
    /// Writes `text` to `name` under `tmp` (creating folders) and returns its path.
    @discardableResult
    func writeFile(_ text: String, _ name: String) throws -> String {
        let url = tmp.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The experiment `name` over two fake images and a fake 4-class model in `tmp` (for
    /// `FakeBackend`), writing to `tmp/Outputs/<name>`: occlusion with `window`, `otherMethods`
    /// and the deletion metric; `extra` is appended to the file.
    func loadFakeExperiment(name: String = "demo", window: Int = 16, extra: String = "",
                            otherMethods: String = "integrated_gradients: {steps: 8}",
                            labels: String = "[cat, dog, cup, car]") throws -> Experiment {
        try writeFile("fake model bytes", "m.onnx")
        try writeFile("kitten pixels", "images/chelsea.png")
        try writeFile("coffee pixels!", "images/coffee.png")
        let yaml = """
        schema: 1
        name: \(name)
        model: {path: m.onnx, labels: \(labels), preprocess: {resize: 4, crop: 4, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}}
        images: [images]
        target: predicted
        seed: 0
        methods:
          occlusion: {window: \(window), stride: 8}
          \(otherMethods)
        metrics: [deletion]
        \(extra)
        """
        let path = try writeFile(yaml, "\(name).yaml")
        do {
            return try ExperimentLoader.load(path: path, catalogue: .standard, baseDirectory: tmp.path, outputsRoot: "Outputs")
        } catch {
            XCTFail("\(error)")
            throw error
        }
    }
}
