import Dispatch
import Foundation
import XAICore

/// Data-parallel forward for batches whose intermediates are not kept (perturbation methods
/// score thousands of images this way). Running the whole batch op by op streams every
/// activation through main memory (a [32, 96, 112, 112] tensor is 154 MB); micro-batches of a
/// few images keep each core's working set in its share of the L3 cache, and giving each core
/// its own micro-batch removes the per-op hand-offs between the cores. Inside a worker the
/// ops' own parallel loops run inline (`Parallel.forEachChunk` runs nested loops in order).
extension Engine {
    /// XAI_MICRO_BATCH: images per micro-batch of every pass (0 disables the split), read once.
    static let microBatchOverride = ProcessInfo.processInfo.environment["XAI_MICRO_BATCH"].flatMap { Int($0) }

    /// Images per micro-batch of forward+backward passes, and the fewest a forward pass takes
    /// where the cache holds them.
    static let microBatchSize = microBatchOverride ?? 2

    /// Images per micro-batch of a forward pass such that every core's micro-batch keeps about
    /// four tensors of the largest written size an image (a step's input, output, residual and
    /// scratch) in the shared last-level cache; at least 1, and no bound where the cache's size
    /// is unknown. On this project's 2-core Zen 4 guest (32 MiB L3) ResNet-50 ([64, 112, 112],
    /// 3.2 MB an image) gets one image a core, where two streamed its 56x56 maps through
    /// memory: `xai bench`, two alternations, forward at batch 32 37.5-40.3 -> 34.4-35.4 ms per
    /// image. For Lite0 the bound counts what its fused blocks stage for their projections (the
    /// depthwise output of a whole micro-batch, up to [144, 56, 56], 1.8 MB an image, where its
    /// largest written tensor is [16, 112, 112]): 2 there. Alone, 2 and 4 timed alike; in
    /// `xai run`'s two engine tasks at once (compare-methods), LIME and RISE on two images, four
    /// alternations: 11.3-13.8 -> 11.1-12.3 s with two. An L3 of hundreds of MB bounds nothing.
    /// Forward+backward passes keep two although one was faster there
    /// (batch 16 87.5-88.4 -> 82.8-83.3 ms): in micro-batches of one their input-gradient
    /// products end on other tail kernels, which moved Lite0's maps in their last bits
    /// (docs/ENGINE.md), so maps would depend on the cache's size.
    static func cacheBound(largestItemFloats: Int, cache: Int? = LastLevelCache.bytes) -> Int {
        guard let cache else { return .max }
        return max(1, cache / (Parallel.cores * 4 * MemoryLayout<Float>.size * max(1, largestItemFloats)))
    }

    /// Images per micro-batch of a forward pass whose largest written tensor holds
    /// `largestItemFloats` floats an image: up to four where four of them fit in 4 MB, in bf16
    /// on AMX up to eight where eight fit in 8 MB; else `microBatchSize`; never more than
    /// `cacheBound` of its largest staged buffer, `stagedItemFloats` (at least `largestItemFloats`;
    /// XAI_MICRO_BATCH overrides all).
    ///
    /// Why: every micro-batch reads all the weights once (Lite0's are 18.8 MB in float32, 9.4 in
    /// bf16, more than their share of L3), and where the products are fast (bf16 on AMX) that
    /// stream is what the deep layers wait on. Lite0's largest written tensor is [16, 112, 112]
    /// (800 KB an image: its fused blocks write no expansion); ResNet-50's [64, 112, 112] (3.2
    /// MB) kept two. Lite0 forward at batch 32, `xai bench` wall ms per image, medians of eight
    /// alternations: bf16 1.43-1.46 -> 1.39 with 4, float32 2.29-2.32 -> 2.25-2.29; ResNet-50
    /// with 4 was slower (bf16 10.4 -> 11.2, with 8 12.8). Forward+backward passes keep two
    /// (Lite0 batch 16 with 8: 7.3 -> 9.0 ms). Eight in bf16 came once the bf16 projections ran
    /// over all of a micro-batch's pixels at once (PackedGEMM+BF16.swift): Lite0 bf16 batch 32,
    /// three alternations, 1.35-1.40 -> 1.30-1.35 ms per image; `xai bench --bf16-pairs 3`, two
    /// alternations, LIME 1.57-1.63x -> 1.65x and RISE 1.64-1.68x -> 1.68-1.72x faster than
    /// float32 (float32 with 8: 2.24-2.28 against 2.25-2.34, no gain).
    static func forwardMicroBatch(largestItemFloats: Int, stagedItemFloats: Int, precision: Precision = .fp32) -> Int {
        let (most, budget) = precision == .bf16 && Precision.useAMX ? (8, 1 << 21) : (4, 1 << 20)
        return microBatchOverride ?? min(cacheBound(largestItemFloats: stagedItemFloats),
                                         max(microBatchSize, min(most, budget / max(1, largestItemFloats))))
    }

    /// The micro-batch size for a batch of `n` (`size` images at most), or nil when one pass
    /// over the batch is better.
    func microBatch(batch n: Int, size m: Int = Engine.microBatchSize) -> Int? {
        guard m > 0, Parallel.cores > 1, n >= 2 * m || n >= Parallel.cores else { return nil }
        return max(1, min(m, n / Parallel.cores))
    }

    /// Whether a forward pass over a batch of `n` runs as micro-batches, which gives every item
    /// the logits it has in any other such batch, bit for bit (the whole-batch path of small
    /// batches rounds differently). Metrics that share logits between batches rely on it.
    /// Never in bf16: its products run on across a micro-batch's items (a column tile may hold
    /// two items' pixels, and a product's last columns sum in another order), so an image's
    /// bf16 logits depend on where it stands in its micro-batch (Lite0-shaped: up to 0.023
    /// apart, BF16Tests), and shared ones would make a run's results depend on its task order.
    public func scoresItemsAlike(batch n: Int) -> Bool {
        precision == .fp32 && microBatch(batch: n, size: forwardMicroBatch) != nil
    }

    /// Micro-batches up to `wholeBatchFrom`, then the whole batch: the classifier head reads
    /// its weights once for all items instead of once per micro-batch.
    func forwardInChunks(_ replacing: [String: Tensor], chunk: Int, keep: Set<String>, from: Int = 0) throws -> Activations {
        let n = replacing.first!.value.batch
        let split = max(from, wholeBatchFrom)
        // Tensors written before the split (or given) that steps after it read.
        var crossing = Set<String>()
        for s in steps[split...] {
            for name in s.computedInputs where (producer[name] ?? -1) < split { crossing.insert(name) }
        }
        let results = try Self.eachMicroBatch(of: n, chunk: chunk) { range in
            try forwardWhole(replacing.mapValues { $0.slice(batch: range) }, base: nil, keep: keep.union(crossing),
                             from: from, until: split, itemsAlike: true)
        }
        var values: [String: Tensor] = [:]
        for name in results[0].values.keys {
            values[name] = Tensor.concatenate(results.map { $0.values[name]! })
        }
        if split < steps.count {
            let head = values.filter { crossing.contains($0.key) }
            let tail = try forwardWhole(head.isEmpty ? replacing : head, base: nil, keep: keep, from: split)
            values = values.filter { keep.contains($0.key) }.merging(tail.values) { _, new in new }
        }
        return Activations(values: values, outputName: outputName, order: order)
    }

    /// `body` on consecutive ranges of `chunk` items covering 0..<n, run concurrently (each
    /// on one core: nested parallel loops run inline); results in range order.
    static func eachMicroBatch<T>(of n: Int, chunk: Int, _ body: (Range<Int>) throws -> T) throws -> [T] {
        let count = (n + chunk - 1) / chunk
        var parts = [Result<T, Error>?](repeating: nil, count: count)
        parts.withUnsafeMutableBufferPointer { out in
            let slots = out.baseAddress!
            Parallel.forEachChunk(count) { i in
                slots[i] = Result { try body((i * chunk)..<min(n, (i + 1) * chunk)) }
            }
        }
        return try parts.map { try $0!.get() }
    }

    /// Gradients of seeds on the logits [N, classes] w.r.t. `wrt`, for a batch [N, C, H, W]
    /// whose activations the caller does not need (integrated gradients, SmoothGrad): the
    /// batch runs as micro-batches, one per core, each a forward and a backward pass.
    public func gradients(of input: Tensor, logitSeeds seeds: Tensor, wrt: [String],
                          rules: BackwardRules = .standard) throws -> [String: Tensor] {
        guard seeds.batch == input.batch else {
            throw EngineError.badInput(detail: "logit seeds have batch \(seeds.batch) but the input has batch \(input.batch)")
        }
        return try gradients(of: input, seedingLogits: { _, range in seeds.slice(batch: range) }, wrt: wrt, rules: rules)
    }

    /// What a forward pass must keep for `gradients` under `rules`, or nil for every tensor.
    /// Nothing reads the output of a 1x1 conv whose only reader is a residual Add (its input
    /// gradient needs the weights alone), nor the sum when only a rectifier reads it: every
    /// rectifier that fuses (relu, clip, leaky relu with a positive slope) puts y and x on the
    /// same side of each bound, so its mask reads the same off its output. Left out, they let the
    /// pass fuse conv, Add and rectifier as a forward-only pass does (ResidualAdd.swift), to the
    /// same bits. The DeepLIFT rules read the sum (and the reference pass's), so they keep
    /// everything. ResNet-50's 16 Adds and ReLUs were 6.5% of a forward+backward pass at batch
    /// 16 (step profile).
    func gradientRetention(wrt: [String], rules: BackwardRules) -> Set<String>? {
        if case .deepLift = rules { return nil }
        var dropped = Set<String>()
        for (i, add) in residualAdds {
            dropped.insert(steps[i].output)
            if add.rectifier != nil { dropped.insert(steps[i + 1].output) }
        }
        dropped.subtract(wrt)
        dropped.subtract(graph.outputs)
        return dropped.isEmpty ? nil : Set(itemShapes.keys).subtracting(dropped)
    }

    /// Like `gradients(of:logitSeeds:wrt:rules:)` for seeds that depend on the logits
    /// (a probability's gradient needs the softmax): `seeds(logits, items)` gets the logits of
    /// the items `items` of `input` from the forward pass the gradients run on, and returns their
    /// seeds ([items.count, classes]), so no second forward pass is needed.
    public func gradients(of input: Tensor, seedingLogits seeds: (Tensor, Range<Int>) throws -> Tensor, wrt: [String],
                          rules: BackwardRules = .standard) throws -> [String: Tensor] {
        let n = input.batch
        let keep = gradientRetention(wrt: wrt, rules: rules)
        func pass(_ x: Tensor, _ items: Range<Int>) throws -> [String: Tensor] {
            let activations = try keep.map { try forwardWhole([graph.input: x], base: nil, keep: $0) }
                ?? forward(x, retain: .all)
            let s = try seeds(activations.output, items)
            guard s.shape == [items.count, classCount] else {
                throw EngineError.badInput(detail: "logit seeds must have shape \([items.count, classCount]), got \(s.shape)")
            }
            return try gradients(activations, seeds: [outputName: s], wrt: wrt, rules: rules)
        }
        guard let chunk = microBatch(batch: n) else { return try pass(input, 0..<n) }
        let results = try Self.eachMicroBatch(of: n, chunk: chunk) { range in
            try pass(input.slice(batch: range), range)
        }
        var grads: [String: Tensor] = [:]
        for name in results[0].keys { grads[name] = Tensor.concatenate(results.map { $0[name]! }) }
        return grads
    }
}
