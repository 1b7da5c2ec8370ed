import Foundation
import XAICore
import XAIEngine
import XAIMethods

/// Batched scoring of pictures for the metrics: images are rendered in pixel space (planar RGB
/// 0...1, [3, H, W]) into a batch buffer, normalised with the model's mean / std, run through
/// the engine `batch` at a time, and the softmax probability of the target is kept (in Double).
struct TargetProbabilities {
    let model: ModelContext
    let batch: Int
    let metric: MetricKind
    /// Render the images of a batch on both cores (for costly renders such as ROAD's imputation).
    var parallelRender = false

    init(model: ModelContext, batch: Int, metric: MetricKind, parallelRender: Bool = false) {
        self.model = model
        self.batch = max(1, batch)
        self.metric = metric
        self.parallelRender = parallelRender
    }

    /// Checks that `target` is a class of the model.
    static func check(target: Int, model: ModelContext, metric: MetricKind) throws {
        let k = model.engine.classCount
        guard target >= 0, target < k else {
            throw MetricError.badInput(metric: metric.rawValue,
                                       detail: "target class \(target) is out of range; the model has \(k) classes (0...\(k - 1))")
        }
    }

    /// Probabilities of `target` for `count` images of `width x height`; `render(i, dst)` writes
    /// image `i` (3 * width * height floats).
    func callAsFunction(count: Int, width: Int, height: Int, target: Int,
                        render: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws -> [Double] {
        try TargetProbabilities.check(target: target, model: model, metric: metric)
        let item = 3 * width * height
        var out = [Double](repeating: 0, count: count)
        var start = 0
        while start < count {
            let n = min(batch, count - start)
            var buffer = [Float](repeating: 0, count: n * item)
            var failure: Error?
            buffer.withUnsafeMutableBufferPointer { b in
                let base = b.baseAddress!
                if parallelRender && n > 1 {
                    let lock = NSLock()
                    DispatchQueue.concurrentPerform(iterations: n) { j in
                        do { try render(start + j, base + j * item) } catch {
                            lock.lock(); failure = failure ?? error; lock.unlock()
                        }
                    }
                } else {
                    for j in 0..<n where failure == nil {
                        do { try render(start + j, base + j * item) } catch { failure = error }
                    }
                }
            }
            if let failure { throw failure }
            let images = Tensor(shape: [n, 3, height, width], data: buffer)
            let logits = try model.engine.logits(model.normalize(images))
            guard logits.rank == 2, logits.shape[0] == n, target < logits.shape[1] else {
                throw MetricError.badInput(metric: metric.rawValue, detail: "expected logits [\(n), classes > \(target)] from the model, got \(logits.shape)")
            }
            let k = logits.shape[1]
            for j in 0..<n {
                out[start + j] = TargetProbabilities.softmax(logits.data, offset: j * k, count: k, target: target)
            }
            start += n
            model.progress?(Double(start) / Double(max(count, 1)))
        }
        return out
    }

    /// Probabilities of `target` for whole pictures (planar pixels, each 3 * width * height).
    func callAsFunction(_ pictures: [[Float]], width: Int, height: Int, target: Int) throws -> [Double] {
        try self(count: pictures.count, width: width, height: height, target: target) { i, dst in
            pictures[i].withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) }
        }
    }

    /// Numerically stable softmax entry `target` of `count` logits starting at `offset`.
    static func softmax(_ logits: [Float], offset: Int, count k: Int, target: Int) -> Double {
        var maxV = -Double.infinity
        for c in 0..<k { maxV = max(maxV, Double(logits[offset + c])) }
        var total = 0.0
        for c in 0..<k { total += exp(Double(logits[offset + c]) - maxV) }
        return exp(Double(logits[offset + target]) - maxV) / total
    }
}
