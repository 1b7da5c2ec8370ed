import Dispatch
import Foundation
import XAICore
import XAIEngine
import XAIImaging

/// Which number of the model output a perturbation method measures for the target class.
enum ScoreKind: String, ParamChoice {
    /// Softmax probability (what LIME, SHAP and RISE explain in their papers' image examples).
    case probability
    /// The pre-softmax logit.
    case logit

    /// The `score` parameter, described by `doc`.
    static func parameter(_ doc: String) -> Param<ScoreKind> {
        Param("score", default: .probability, doc)
    }

    /// The `score` parameter of the surrogate and sampling methods (LIME, KernelSHAP, RISE).
    static let explained = parameter("score explained: softmax probability or logit")
}

/// Target-class results of the model on a set of perturbed images.
struct PerturbationScores: Sendable, Equatable {
    var probability: [Float]
    var logit: [Float]
    /// Whether the target is the model's top class (argmax of the logits) on each image.
    var isTop: [Bool]

    var count: Int { probability.count }

    func values(_ kind: ScoreKind) -> [Float] { kind == .probability ? probability : logit }

    /// Stored as a [count, 3] tensor: probability, logit, top (0 / 1).
    var tensor: Tensor {
        var d = [Float](repeating: 0, count: 3 * count)
        for i in 0..<count { d[3 * i] = probability[i]; d[3 * i + 1] = logit[i]; d[3 * i + 2] = isTop[i] ? 1 : 0 }
        return Tensor(shape: [count, 3], data: d)
    }

    init(probability: [Float], logit: [Float], isTop: [Bool]) {
        self.probability = probability
        self.logit = logit
        self.isTop = isTop
    }

    init?(tensor t: Tensor, count: Int) {
        guard t.shape == [count, 3], t.data.allSatisfy(\.isFinite) else { return nil }
        probability = (0..<count).map { t.data[3 * $0] }
        logit = (0..<count).map { t.data[3 * $0 + 1] }
        isTop = (0..<count).map { t.data[3 * $0 + 2] > 0.5 }
    }
}

/// Batched scoring of perturbed images, the shared engine of the perturbation methods.
/// Images are rendered in pixel space (0...1, [3, H, W]) into a batch buffer, normalised like
/// the model input and run through the model `batch` at a time; only the target's probability,
/// logit and top-class flag are kept. With a cache and a key, the scores of the whole set are
/// loaded or stored as one [count, 3] tensor, so a method re-fitted with other fitting
/// parameters does not run the model again.
struct PerturbationBatch {
    /// Logits [n, classes] of a batch of pixel-space images [n, 3, H, W], which are items
    /// `range` of the set being scored.
    let model: (Tensor, Range<Int>) throws -> Tensor
    let batch: Int
    let cache: IntermediateCache?
    let progress: (@Sendable (Double) -> Void)?
    /// The precision `model` computes in: part of the cache key when not fp32.
    let precision: Precision
    /// The model whose mean / std normalise each rendered image in place right after it is
    /// drawn, while it is in cache, before `model` sees the batch (nil: `model` gets pixel
    /// space). As a pass of its own the normalisation copied and rewrote every batch between
    /// two forward passes.
    let normalizing: ModelContext?

    init(batch: Int, cache: IntermediateCache? = nil, progress: (@Sendable (Double) -> Void)? = nil,
         precision: Precision = .fp32, normalizing: ModelContext? = nil,
         indexedModel: @escaping (Tensor, Range<Int>) throws -> Tensor) {
        self.batch = max(1, batch)
        self.precision = precision
        self.cache = cache
        self.progress = progress
        self.normalizing = normalizing
        self.model = indexedModel
    }

    init(batch: Int, cache: IntermediateCache? = nil, progress: (@Sendable (Double) -> Void)? = nil,
         model: @escaping (Tensor) throws -> Tensor) {
        self.init(batch: batch, cache: cache, progress: progress) { images, _ in try model(images) }
    }

    /// Scores through the context's engine (each image normalised with the model's mean / std).
    init(context: ModelContext, batch: Int) {
        let engine = context.engine
        self.init(batch: batch, cache: context.cache, progress: context.progress, precision: engine.precision,
                  normalizing: context) { images, _ in
            try engine.logits(images)
        }
    }

    /// Renders image `i` of `count` with `render(i, destination)` (3 * height * width floats,
    /// planar RGB in pixel space) and returns the scores of `target`. `cacheKey` nil disables
    /// the cache for this call.
    func scores(count: Int, width: Int, height: Int, target: Int, cacheKey: String?,
                render: (Int, UnsafeMutablePointer<Float>) -> Void) throws -> PerturbationScores {
        // Scores of bf16 passes differ from fp32 ones: they are kept apart (fp32 keys as before).
        let cacheKey = cacheKey.map { precision == .fp32 ? $0 : $0 + ",precision=\(precision.rawValue)" }
        if let cacheKey, let cache, let t = cache.load(cacheKey), let s = PerturbationScores(tensor: t, count: count) {
            return s
        }
        let item = 3 * width * height
        var probability = [Float](repeating: 0, count: count)
        var logit = [Float](repeating: 0, count: count)
        var isTop = [Bool](repeating: false, count: count)
        var buffer = [Float](repeating: 0, count: min(batch, max(count, 1)) * item)
        var start = 0
        while start < count {
            let n = min(batch, count - start)
            // Rendering runs on every core: done serially it left one core idle between the
            // model's batches (RISE: 10% of the run).
            buffer.withUnsafeMutableBufferPointer { b in
                let base = b.baseAddress!
                DispatchQueue.concurrentPerform(iterations: n) { j in
                    render(start + j, base + j * item)
                    normalizing?.normalize(item: base + j * item, channels: 3, count: width * height)
                }
            }
            let images = Tensor(shape: [n, 3, height, width], data: n * item == buffer.count ? buffer : Array(buffer.prefix(n * item)))
            let logits = try model(images, start..<(start + n))
            guard logits.rank == 2, logits.shape[0] == n, target >= 0, target < logits.shape[1] else {
                throw MethodError.unsuitableModel(method: "perturbation", detail: "expected logits [\(n), classes > \(target)] from the model, got \(logits.shape)")
            }
            let k = logits.shape[1]
            logits.data.withUnsafeBufferPointer { l in
                for j in 0..<n {
                    let row = l.baseAddress! + j * k
                    var top = 0
                    var maxV = row[0]
                    for c in 1..<max(k, 1) where row[c] > maxV { maxV = row[c]; top = c }
                    var total: Double = 0
                    for c in 0..<k { total += Foundation.exp(Double(row[c] - maxV)) }
                    probability[start + j] = Float(Foundation.exp(Double(row[target] - maxV)) / total)
                    logit[start + j] = row[target]
                    isTop[start + j] = top == target
                }
            }
            start += n
            progress?(Double(start) / Double(count))
        }
        let result = PerturbationScores(probability: probability, logit: logit, isTop: isTop)
        if let cacheKey, let cache { cache.store(cacheKey, result.tensor) }
        return result
    }

    /// The scores of one unperturbed pixel-space image.
    func score(of image: RGBImage, target: Int) throws -> PerturbationScores {
        try scores(count: 1, width: image.width, height: image.height, target: target, cacheKey: nil) { _, dst in
            image.pixels.withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) }
        }
    }

    /// Cache key of a set of perturbation scores: method, image/model content, target and the
    /// parameters that decide which images are scored (the seed among them when it matters),
    /// never the fitting parameters or `batch`.
    static func cacheKey(_ kind: MethodKind, input: ExplanationInput, sampling: [String]) -> String {
        // v2: quick shift no longer takes the seed, so superpixel masks changed under the same text.
        "perturbation-scores/v2/\(kind.rawValue)/\(input.contentKey)/target=\(input.target)/"
            + sampling.joined(separator: ",")
    }
}
