import XAICore
import XAIEngine
import XAIImaging

/// Occlusion (Zeiler & Fergus 2014): a `window` slides over the image with `stride`, the covered
/// pixels are replaced by `value`, and the drop of the target score (probability or logit) is
/// recorded. The map at a pixel is the mean drop over all windows covering it. Window positions
/// are 0, stride, 2 stride, ... as in Captum, plus one window flush with the far edge when the
/// stride does not reach it, so every pixel is covered. `arrays["grid"]` holds the raw occluded
/// scores [rows, cols] (row-major by window position), `scalars["base_score"]` the unoccluded one.
public struct Occlusion: Explainer {
    public static let window = Param<IntPair>("window", .intOrPair(.ints(1, 4096)), default: IntPair(h: 16, w: 16),
                                       "occluding patch size: n or [h, w] pixels")
    public static let stride = Param<IntPair>("stride", .intOrPair(.ints(1, 4096)), default: IntPair(h: 8, w: 8),
                                       "step between patches: n or [h, w] pixels")
    static let value = Param<ParamValue>(
        "value", .choiceOrNumber(["gray", "black", "white", "mean", "blur", "noise"], .unit), default: .string("gray"),
        "what replaces the patch: a named fill or one pixel value in [0, 1]")
    static let score = ScoreKind.parameter("score whose drop is measured")
    static let batch = Batching.parameter(32)
    public static let descriptor = MethodDescriptor(
        "occlusion", family: .perturbation,
        summary: "drop of the target score when a sliding window of the input is hidden",
        paper: "Zeiler, Fergus. Visualizing and Understanding Convolutional Networks. ECCV 2014",
        parameters: [window, stride, value, score, batch, PrecisionOption.parameter], slow: true, mapSign: .signed)

    /// What replaces the occluded window.
    enum Fill: Equatable, Sendable {
        case baseline(Baseline)
        /// The image's mean colour per channel.
        case mean
    }

    let window: (h: Int, w: Int)
    let stride: (h: Int, w: Int)
    let fill: Fill
    let score: ScoreKind
    let batch: Int
    let precision: Precision

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(method: Self.descriptor, params)
        window = try Occlusion.pair(r, Self.window)
        stride = try Occlusion.pair(r, Self.stride)
        let v = try r[Self.value]
        if v.stringValue == "mean" {
            fill = .mean
        } else if v.stringValue == "noise" {
            fill = .baseline(.uniform)
        } else if let b = Baseline(v), b != .uniform, b != .gaussian {
            fill = .baseline(b)
        } else {
            throw r.invalid(Self.value.name, "'\(v)' is not gray, black, white, mean, blur, noise or a pixel value in [0, 1]")
        }
        score = try r[Self.score]
        batch = try r[Self.batch]
        precision = try r[PrecisionOption.parameter]
    }

    private static func pair(_ r: ParameterReader, _ p: Param<IntPair>) throws -> (h: Int, w: Int) {
        let v = try r[p]
        guard v.h >= 1, v.w >= 1 else { throw r.invalid(p.name, "expected a positive integer or [h, w], got \(v.paramValue)") }
        return (v.h, v.w)
    }

    /// Window origins along one axis (see the type's documentation).
    static func positions(size: Int, window: Int, stride: Int) -> [Int] {
        let last = max(0, size - window)
        var p = Array(Swift.stride(from: 0, through: last, by: max(1, stride)))
        if p.last != last { p.append(last) }
        return p
    }

    /// The window grid on an image: origins along each axis and the (clipped) window size.
    private func grid(width w: Int, height h: Int) -> (ys: [Int], xs: [Int], wh: Int, ww: Int) {
        let wh = min(window.h, h), ww = min(window.w, w)
        return (Occlusion.positions(size: h, window: wh, stride: stride.h),
                Occlusion.positions(size: w, window: ww, stride: stride.w), wh, ww)
    }

    /// Runs the model incrementally: each occluded image differs from the original only in
    /// its window, so the engine recomputes only what that window reaches, layer by layer,
    /// from the original image's activations (computed once, when the scores are not cached).
    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try PrecisionOption.run(precision, model) { try explainIncrementally(input, model: $0) }
    }

    private func explainIncrementally(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        let engine = model.engine
        try TargetScore.check(input.target, engine: engine, method: Self.kind)
        let image = input.image
        let g = grid(width: image.width, height: image.height)
        var base: Activations?
        let scorer = PerturbationBatch(batch: batch, cache: model.cache, progress: model.progress, precision: engine.precision,
                                       normalizing: model) { images, range in
            if base == nil {
                // Normalised exactly as the batches are, so that outside the windows they match.
                let x = Tensor(shape: [1, 3, image.height, image.width], data: image.pixels)
                base = try engine.forward(model.normalize(x), retain: .all)
            }
            // Item 0 (the original image) is item 1 recomputed over the original pixels.
            let regions = range.map { i in
                let k = max(0, i - 1)
                return Region(y: g.ys[k / g.xs.count], x: g.xs[k % g.xs.count], h: g.wh, w: g.ww)
            }
            return try engine.logits(images, changedIn: regions, base: base!)
        }
        return try explain(input, scorer: scorer)
    }

    func explain(_ input: ExplanationInput, scorer: PerturbationBatch) throws -> Explanation {
        let image = input.image
        let (w, h) = (image.width, image.height)
        let n = w * h
        let (ys, xs, wh, ww) = grid(width: w, height: h)
        var rng = SeededRandom(seed: input.seed)
        let fillImage: [Float]
        switch fill {
        case .mean:
            var f = [Float](repeating: 0, count: 3 * n)
            for c in 0..<3 {
                let m = image.pixels[(c * n)..<((c + 1) * n)].reduce(0, +) / Float(max(n, 1))
                for i in 0..<n { f[c * n + i] = m }
            }
            fillImage = f
        case .baseline(let b):
            fillImage = b.image(for: image, rng: &rng).pixels
        }
        var sampling = ["window=\(wh)x\(ww)", "stride=\(stride.h)x\(stride.w)", "value=\(fillDescription)"]
        if fill == .baseline(.uniform) { sampling.append("seed=\(input.seed)") }
        let key = PerturbationBatch.cacheKey(Self.kind, input: input, sampling: sampling)

        // Item 0 is the unoccluded image; item 1 + r * cols + c occludes window (ys[r], xs[c]).
        let windows = ys.count * xs.count
        let scores = try image.pixels.withUnsafeBufferPointer { src in
            try fillImage.withUnsafeBufferPointer { f in
                try scorer.scores(count: 1 + windows, width: w, height: h, target: input.target, cacheKey: key) { i, dst in
                    dst.update(from: src.baseAddress!, count: 3 * n)
                    guard i > 0 else { return }
                    let y0 = ys[(i - 1) / xs.count], x0 = xs[(i - 1) % xs.count]
                    for c in 0..<3 {
                        for y in y0..<(y0 + wh) {
                            let base = c * n + y * w + x0
                            (dst + base).update(from: f.baseAddress! + base, count: ww)
                        }
                    }
                }
            }
        }
        let values = scores.values(score)
        let base = values[0]
        var sum = [Double](repeating: 0, count: n)
        var cover = [Int32](repeating: 0, count: n)
        for (r, y0) in ys.enumerated() {
            for (c, x0) in xs.enumerated() {
                let drop = Double(base - values[1 + r * xs.count + c])
                for y in y0..<(y0 + wh) {
                    for x in x0..<(x0 + ww) { sum[y * w + x] += drop; cover[y * w + x] += 1 }
                }
            }
        }
        var map = [Float](repeating: 0, count: n)
        for i in 0..<n where cover[i] > 0 { map[i] = Float(sum[i] / Double(cover[i])) }
        let grid = Tensor(shape: [ys.count, xs.count], data: Array(values[1...]))
        return Explanation(map: Tensor(shape: [h, w], data: map), lowResolution: nil,
                           scalars: ["base_score": Double(base), "windows": Double(windows)],
                           arrays: ["grid": grid])
    }

    private var fillDescription: String {
        switch fill {
        case .mean: return "mean"
        case .baseline(.uniform): return "noise"
        case .baseline(let b): return b.description
        }
    }
}
