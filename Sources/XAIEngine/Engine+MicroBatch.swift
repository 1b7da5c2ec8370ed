import Dispatch
import Foundation
import XAICore

/// Data-parallel forward for batches whose intermediates are not kept (perturbation methods
/// score thousands of images this way). Running the whole batch op by op streams every
/// activation through main memory (a [32, 96, 112, 112] tensor is 154 MB); micro-batches of a
/// few images keep each core's working set in its share of the L3 cache, and giving each core
/// its own micro-batch removes the per-op hand-offs between the cores. Inside a worker the
/// ops' own parallel loops run inline: libdispatch serialises nested `concurrentPerform`.
extension Engine {
    /// Images per micro-batch (XAI_MICRO_BATCH overrides; 0 disables the split).
    static let microBatchSize: Int = {
        if let s = ProcessInfo.processInfo.environment["XAI_MICRO_BATCH"], let v = Int(s) { return v }
        return 2
    }()

    /// The micro-batch size for a batch of `n`, or nil when one pass over the batch is better.
    func microBatch(batch n: Int) -> Int? {
        let m = Engine.microBatchSize
        guard m > 0, Parallel.cores > 1, n >= 2 * m || n >= Parallel.cores else { return nil }
        return max(1, min(m, n / Parallel.cores))
    }

    func forwardInChunks(_ replacing: [String: Tensor], chunk: Int, keep: Set<String>) throws -> Activations {
        let n = replacing.first!.value.batch
        let count = (n + chunk - 1) / chunk
        var parts = [Result<Activations, Error>?](repeating: nil, count: count)
        parts.withUnsafeMutableBufferPointer { out in
            let slots = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: count) { i in
                let range = (i * chunk)..<min(n, (i + 1) * chunk)
                let inputs = replacing.mapValues { $0.slice(batch: range) }
                slots[i] = Result { try forwardWhole(inputs, base: nil, keep: keep) }
            }
        }
        let results = try parts.map { try $0!.get() }
        var values: [String: Tensor] = [:]
        for name in results[0].values.keys {
            values[name] = Tensor.concatenate(results.map { $0.values[name]! })
        }
        return Activations(values: values, outputName: outputName, order: order)
    }
}
