import ArgumentParser
import Foundation
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
import XAIBackend

/// `xai bench`: engine and method timings on this machine. Timings live here, never in tests;
/// `bench/compare` runs ONNX Runtime and PyTorch on the same files and prints the ratios.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time the engine (forward, forward+backward) and the explanation methods.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Extra ONNX models to time (forward and forward+backward), e.g. a ResNet-50 export.")
    var onnx: [String] = []
    @Option(help: "Image used for the method timings.")
    var image: String = "Experiments/images/chelsea.png"
    @Option(help: "Repetitions per method measurement (the median is reported).")
    var repeats: Int = 5
    @Option(help: "Seconds spent timing each engine measurement (the median run is reported).")
    var budget: Double = 3
    @Option(parsing: .upToNextOption, help: "Batch sizes for the forward timings (0: none).")
    var forwardBatches: [Int] = [1, 32]
    @Option(parsing: .upToNextOption, help: "Batch sizes for the forward+backward timings (0: none).")
    var backwardBatches: [Int] = [1, 16]
    @Flag(inversion: .prefixedNo, help: "Also time a ResNet-50-shaped graph with random weights (no file needed).")
    var resnet50Shaped = true
    @Flag(help: "Skip the method timings.")
    var engineOnly = false
    @Option(help: "Time only this method (repeatable, e.g. --method lime --method rise; default: all).")
    var method: [String] = []
    @Option(help: "Alternating fp32 / bf16 pairs of LIME 1000 and RISE 4000 to time (precision: bf16; 0: none); also times bf16 forwards.")
    var bf16Pairs: Int = 0
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        let timed = Self.methodCases.map(\.method.kind.rawValue)
        for name in method where !timed.contains(name) {
            throw ValidationError("'\(name)' is not among the timed methods: \(timed.joined(separator: ", "))")
        }
    }

    /// The timed methods, with the issues' reference settings and targets; the peer times are
    /// Captum / pytorch-grad-cam / lime on this machine.
    static let methodCases: [(name: String, method: MethodDescriptor, params: [String: ParamValue])] = [
        ("saliency (<30 ms; Captum 33)", Saliency.descriptor, [:]),
        ("gradcam (<30 ms; pytorch 35)", GradCAM.descriptor, [:]),
        ("guided_backprop (Captum 31 ms)", GuidedBackprop.descriptor, [:]),
        ("IG 50 steps (<1.5 s; Captum 3.35)", IntegratedGradients.descriptor, [IntegratedGradients.steps.name: .int(50)]),
        ("deeplift (bench/compare-methods: Captum DeepLift)", DeepLIFT.descriptor, [:]),
        ("gradient_shap 50 samples (bench/compare-methods: Captum GradientShap)", GradientSHAP.descriptor,
         [GradientSHAP.samples.name: .int(50)]),
        ("occlusion 16/8 (<4 s; Captum 18.6)", Occlusion.descriptor,
         [Occlusion.window.name: .int(16), Occlusion.stride.name: .int(8)]),
        ("lime 1000 (<6 s; lime 27.7)", LIME.descriptor, [LIME.samples.name: .int(1000)]),
        ("rise 4000 masks (<20 s)", RISE.descriptor, [RISE.masks.name: .int(4000)]),
    ]

    func run() throws {
        try reportingErrors {
            var rows: [BenchRow] = []
            var files: [String: String] = [:]
            let model = try LoadedModel(spec: try LoadedModel.spec(reference: modelOptions.model,
                                                                  weightsDirectory: WeightsFolder.resolve(modelOptions.weights)))
            files[model.spec.name] = model.spec.path
            rows += try engineRows(name: model.spec.name, engine: model.engine)
            for path in onnx {
                let other = try LoadedModel(spec: try LoadedModel.spec(reference: path))
                files[other.spec.name] = path
                rows += try engineRows(name: other.spec.name, engine: other.engine)
            }
            if resnet50Shaped {
                rows += try engineRows(name: "resnet50-shaped", engine: try Engine(graph: ReferenceGraphs.resnet50Shaped()))
            }
            if !engineOnly { rows += try methodRows(model) }
            if bf16Pairs > 0 { rows += try precisionRows(model) }
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let peakMiB = Double(usage.ru_maxrss) / 1024
            if json {
                // The schema bench/compare reads: per model, ms per image by batch size.
                var models: [[String: Any]] = []
                for name in Set(rows.filter { $0.batch != nil }.map(\.model)).sorted() {
                    func byBatch(_ work: String) -> [String: Double] {
                        var d: [String: Double] = [:]
                        for r in rows where r.model == name && r.work.hasPrefix(work + ",") { d["\(r.batch!)"] = r.ms }
                        return d
                    }
                    models.append(["name": name, "file": files[name] ?? "",
                                   "forward_ms_per_image": byBatch("forward"),
                                   "forward_backward_ms_per_image": byBatch("forward+backward"),
                                   "peak_memory_mb": peakMiB])
                }
                let object: [String: Any] = [
                    "openblas_coretype": ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "default",
                    "peak_memory_mb": peakMiB,
                    "models": models,
                    "methods": rows.filter { $0.batch == nil }.map { ["name": $0.work, "ms": $0.ms] },
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                printOut(String(decoding: data, as: UTF8.self))
            } else {
                printOut("OpenBLAS core type: \(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "default")")
                for r in rows {
                    let work = r.work.padding(toLength: 34, withPad: " ", startingAt: 0)
                    let cpu = r.cpuMs.map { String(format: "  (CPU %.2f)", $0) } ?? ""
                    printOut("\(r.model.padding(toLength: 20, withPad: " ", startingAt: 0)) \(work) \(String(format: "%9.2f", r.ms)) \(r.unit)\(cpu)")
                }
                printOut(String(format: "peak memory: %.0f MiB", peakMiB))
            }
        }
    }

    private func engineRows(name: String, engine: Engine) throws -> [BenchRow] {
        try EngineBenchmark.run(engine: engine, name: name, forwardBatches: forwardBatches.filter { $0 > 0 },
                                backwardBatches: backwardBatches.filter { $0 > 0 }, budgetSeconds: budget).map { r in
            let work = r.label.hasSuffix("forward+backward") ? "forward+backward" : "forward"
            return BenchRow(model: name, work: "\(work), batch \(r.batch)", ms: r.msPerImage, unit: "ms/img",
                            batch: r.batch, cpuMs: r.cpuMsPerImage)
        }
    }

    /// The bench image at the model's input size, explained for its top class.
    func benchInput(_ model: LoadedModel) throws -> (ExplanationInput, ModelContext) {
        let picture = model.preprocess.cropped(try ImageIO.read(contentsOf: image))
        let input = model.preprocess.normalize(picture)
        let logits = try model.engine.logits(input).data
        let target = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        let context = ModelContext(engine: model.engine, labels: model.labels, preprocess: model.preprocess,
                                   targetLayer: try model.spec.targetLayer.map { try model.engine.resolveTensor($0) })
        return (ExplanationInput(image: picture, input: input, target: target, seed: 0, contentKey: "bench"), context)
    }

    /// One 224x224 image, the issue's reference settings for each method.
    private func methodRows(_ model: LoadedModel) throws -> [BenchRow] {
        let (x, context) = try benchInput(model)
        var rows: [BenchRow] = []
        for (name, d, given) in Self.methodCases where method.isEmpty || method.contains(d.kind.rawValue) {
            // Methods that take seconds need no warm-up and one run is enough.
            let timing = try MethodBenchmark.measure(d.kind, params: ResolvedParams(specs: d.parameters, given: given),
                                                     input: x, model: context, warmup: d.slow ? 0 : 1,
                                                     repeats: d.slow ? 1 : repeats)
            rows.append(BenchRow(model: model.spec.name, work: name, ms: timing.median * 1000, unit: "ms"))
        }
        return rows
    }
}

struct BenchRow {
    var model: String
    var work: String
    var ms: Double
    var unit: String
    /// Batch size for engine rows; nil for method rows.
    var batch: Int? = nil
    /// Process CPU ms per image (all threads), for engine rows: tells engine changes from load.
    var cpuMs: Double? = nil
}
