import Dispatch
import XAICore
import XAIEngine
import XAIImaging

/// RISE (Petsiuk, Das, Saenko 2018): N random masks, each an s x s grid of cells kept with
/// probability p, bilinearly upsampled to (s + 1) x the cell size and cropped at a random shift
/// of up to one cell; the image is multiplied by each mask and the map is
/// sum_i score_i * mask_i / (N * p), score = target probability. Mask i depends only on
/// (seed, i), so masks are regenerated for the map instead of being stored.
public struct RISE: Explainer {
    public static let masks = Param<Int>("masks", default: 4000, range: .ints(1, 1_000_000), "number of random masks N")
    static let cells = Param<Int>("cells", default: 7, range: .ints(1, 256), "mask grid size s (s x s cells before upsampling)")
    static let keep = Param<Double>("p", default: 0.5, range: .openUnit, "probability that a cell is kept")
    static let batch = Batching.parameter(32)
    public static let descriptor = MethodDescriptor(
        "rise", family: .perturbation,
        summary: "random masks weighted by the target score they leave",
        paper: "Petsiuk, Das, Saenko. RISE: Randomized Input Sampling for Explanation of Black-box Models. BMVC 2018",
        parameters: [masks, cells, keep, ScoreKind.explained, batch, PrecisionOption.parameter], slow: true)

    let masks: Int
    let cells: Int
    let p: Double
    let batch: Int
    let precision: Precision
    /// The explained score (probability by default, as in the paper).
    var score: ScoreKind = .probability

    public init(params: ResolvedParams) throws {
        let r = try ParameterReader(method: Self.descriptor, params)
        masks = try r[Self.masks]
        cells = try r[Self.cells]
        p = try r[Self.keep]
        batch = try r[Self.batch]
        precision = try r[PrecisionOption.parameter]
        score = try r[ScoreKind.explained]
        guard p > 0, p < 1 else { throw r.invalid(Self.keep.name, "must be in (0, 1), got \(p)") }
    }

    public func explain(_ input: ExplanationInput, model: ModelContext) throws -> Explanation {
        try TargetScore.check(input.target, engine: model.engine, method: Self.kind)
        return try PrecisionOption.run(precision, model) { try explain(input, scorer: PerturbationBatch(context: $0, batch: batch)) }
    }

    /// Mask `index` for a `width x height` image (row-major, values in 0...1).
    static func mask(_ index: Int, seed: UInt64, cells s: Int, p: Double, width: Int, height: Int) -> [Float] {
        var rng = SeededRandom(seed: seed, stream: 0x5249_5345 &+ UInt64(index))
        var grid = [Float](repeating: 0, count: s * s)
        for i in grid.indices { grid[i] = rng.bernoulli(p) ? 1 : 0 }
        let cellH = (height + s - 1) / s, cellW = (width + s - 1) / s
        let dy = rng.int(below: cellH), dx = rng.int(below: cellW)
        let upH = (s + 1) * cellH, upW = (s + 1) * cellW
        return MapResize.bilinearWindow(grid, h: s, w: s, toH: upH, toW: upW, top: dy, left: dx, height: height, width: width)
    }

    func explain(_ input: ExplanationInput, scorer: PerturbationBatch) throws -> Explanation {
        let image = input.image
        let (w, h) = (image.width, image.height)
        let n = w * h
        let key = PerturbationBatch.cacheKey(Self.kind, input: input, sampling: [
            "masks=\(masks)", "cells=\(cells)", "p=\(p)", "seed=\(input.seed)",
        ])
        let (seed, s, prob) = (input.seed, cells, p)
        let scores = try image.pixels.withUnsafeBufferPointer { src in
            try scorer.scores(count: masks, width: w, height: h, target: input.target, cacheKey: key) { i, dst in
                let m = RISE.mask(i, seed: seed, cells: s, p: prob, width: w, height: h)
                for c in 0..<3 {
                    for j in 0..<n { dst[c * n + j] = src[c * n + j] * m[j] }
                }
            }
        }
        let values = scores.values(score)
        // Fixed chunks summed in order: the same map whatever the number of cores.
        let chunks = 8
        var partial = [[Double]](repeating: [], count: chunks)
        let lock = DispatchQueue(label: "rise.partial")
        let total = masks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            var acc = [Double](repeating: 0, count: n)
            for i in (total * c / chunks)..<(total * (c + 1) / chunks) {
                let m = RISE.mask(i, seed: seed, cells: s, p: prob, width: w, height: h)
                let v = Double(values[i])
                for j in 0..<n { acc[j] += v * Double(m[j]) }
            }
            lock.sync { partial[c] = acc }
        }
        var map = [Float](repeating: 0, count: n)
        let scale = 1 / (Double(masks) * p)
        for j in 0..<n {
            var sum = 0.0
            for c in 0..<chunks where !partial[c].isEmpty { sum += partial[c][j] }
            map[j] = Float(sum * scale)
        }
        return Explanation(map: Tensor(shape: [h, w], data: map),
                           scalars: ["masks": Double(masks), "mean_score": Double(values.reduce(0, +)) / Double(max(masks, 1))])
    }
}
