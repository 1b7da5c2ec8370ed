import Foundation
import XAICore
import XAIEngine
import XAIMethods

/// Batched scoring of pictures for the metrics: images are rendered in pixel space (planar RGB
/// 0...1, [3, H, W]) into a batch buffer, normalised with the model's mean / std, run through
/// the engine `batch` at a time, and the softmax probability of the target is kept (in Double).
struct TargetProbabilities {
    /// The model, its engine computing in the precision that runs here.
    let model: ModelContext
    let batch: Int
    let metric: MetricKind
    /// Render the images of a batch on both cores (for costly renders such as ROAD's imputation).
    var parallelRender = false
    /// The precision the metric asked for (`PrecisionOption`).
    let requested: Precision

    init(model: ModelContext, batch: Int, metric: MetricKind, parallelRender: Bool = false, precision: Precision = .fp32) {
        self.model = PrecisionOption.context(precision, model)
        self.batch = max(1, batch)
        self.metric = metric
        self.parallelRender = parallelRender
        self.requested = precision
    }

    /// A result's `extra` with its precision recorded: for a bf16 request, whether bf16 ran (1)
    /// or fp32 (0); nothing for fp32, so fp32 results are as before the option existed.
    func recordingPrecision(_ extra: [String: Double]) -> [String: Double] {
        guard requested != .fp32 else { return extra }
        return extra.merging([PrecisionOption.scalar: model.engine.precision == .bf16 ? 1 : 0]) { a, _ in a }
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
    /// image `i` (3 * width * height floats). `shared`: pictures other tasks score too, by index
    /// (see `logits`).
    func callAsFunction(count: Int, width: Int, height: Int, target: Int, shared: [Int: String] = [:],
                        render: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws -> [Double] {
        try TargetProbabilities.check(target: target, model: model, metric: metric)
        let all = try logits(count: count, width: width, height: height, shared: shared, render: render)
        guard count == 0 || target < all.shape[1] else {
            throw MetricError.badInput(metric: metric.rawValue, detail: "expected logits [\(count), classes > \(target)] from the model, got \(all.shape)")
        }
        return TargetProbabilities.probabilities(all, target: target)
    }

    /// Logits [count, classes] of `count` images of `width x height`, `batch` at a time;
    /// `render(i, dst)` writes image `i` (3 * width * height floats). Image `i` with a key in
    /// `shared` (`SharedLogits.Picture.key`) is taken from the intermediate cache when another
    /// task scored it, and stored there when this call does. Sharing keeps every bit: the images
    /// are batched as without it (consecutive batches of `batch`), a batch drops the images it
    /// finds only when the engine scores items alike at both its sizes
    /// (`Engine.scoresItemsAlike`: never in bf16), and only such batches store theirs.
    func logits(count: Int, width: Int, height: Int, shared: [Int: String] = [:],
                render: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws -> Tensor {
        let engine = model.engine
        var rows = [Int: [Float]]()
        var start = 0
        while start < count {
            let all = Array(start..<min(count, start + batch))
            start += all.count
            var found = [Int: [Float]]()
            if engine.scoresItemsAlike(batch: all.count) {
                for i in all {
                    if let key = shared[i], let row = SharedLogits.load(key, rows: 1, model: model) { found[i] = row.data }
                }
            }
            var todo = all.filter { found[$0] == nil }
            if !found.isEmpty && !todo.isEmpty && !engine.scoresItemsAlike(batch: todo.count) { (todo, found) = (all, [:]) }
            let computed = try batched(todo, width: width, height: height, render: render)
            let classes = computed.shape[1]
            let storable = engine.scoresItemsAlike(batch: todo.count)
            for (r, i) in todo.enumerated() {
                let row = Array(computed.data[(r * classes)..<((r + 1) * classes)])
                rows[i] = row
                if storable, let key = shared[i] {
                    SharedLogits.store(key, Tensor(shape: [1, classes], data: row), model: model)
                }
            }
            rows.merge(found) { a, _ in a }
            model.progress?(Double(start) / Double(max(count, 1)))
        }
        let classes = rows.values.first?.count ?? 0
        guard rows.values.allSatisfy({ $0.count == classes }) else {
            throw MetricError.badInput(metric: metric.rawValue, detail: "the model gave logits of different lengths")
        }
        return Tensor(shape: [count, classes], data: (0..<count).flatMap { rows[$0]! })
    }

    /// Logits [images.count, classes] of images `images` (indices for `render`) in one forward pass.
    private func batched(_ images: [Int], width: Int, height: Int,
                         render: (Int, UnsafeMutablePointer<Float>) throws -> Void) throws -> Tensor {
        let n = images.count
        guard n > 0 else { return Tensor(shape: [0, 0], data: []) }
        let item = 3 * width * height
        var buffer = [Float](repeating: 0, count: n * item)
        var failure: Error?
        let model = self.model, pixels = width * height
        func draw(_ j: Int, _ dst: UnsafeMutablePointer<Float>) throws {
            try render(images[j], dst)
            model.normalize(item: dst, channels: 3, count: pixels)
        }
        buffer.withUnsafeMutableBufferPointer { b in
            let base = b.baseAddress!
            if parallelRender && n > 1 {
                let lock = NSLock()
                DispatchQueue.concurrentPerform(iterations: n) { j in
                    do { try draw(j, base + j * item) } catch {
                        lock.lock(); failure = failure ?? error; lock.unlock()
                    }
                }
            } else {
                for j in 0..<n where failure == nil {
                    do { try draw(j, base + j * item) } catch { failure = error }
                }
            }
        }
        if let failure { throw failure }
        let logits = try model.engine.logits(Tensor(shape: [n, 3, height, width], data: buffer))
        guard logits.rank == 2, logits.shape[0] == n else {
            throw MetricError.badInput(metric: metric.rawValue, detail: "expected logits [\(n), classes] from the model, got \(logits.shape)")
        }
        return logits
    }

    /// The softmax probability of `target` in each row of `logits` [count, classes].
    static func probabilities(_ logits: Tensor, target: Int) -> [Double] {
        let k = logits.shape[1]
        return (0..<logits.shape[0]).map { softmax(logits.data, offset: $0 * k, count: k, target: target) }
    }

    /// Probabilities of `target` for whole pictures (planar pixels, each 3 * width * height).
    func callAsFunction(_ pictures: [[Float]], width: Int, height: Int, target: Int) throws -> [Double] {
        try self(count: pictures.count, width: width, height: height, target: target, render: Self.copy(pictures))
    }

    /// Logits [count, classes] of whole pictures (planar pixels, each 3 * width * height).
    func logits(_ pictures: [[Float]], width: Int, height: Int, shared: [Int: String] = [:]) throws -> Tensor {
        try logits(count: pictures.count, width: width, height: height, shared: shared, render: Self.copy(pictures))
    }

    /// A renderer that copies picture i.
    private static func copy(_ pictures: [[Float]]) -> (Int, UnsafeMutablePointer<Float>) throws -> Void {
        { i, dst in pictures[i].withUnsafeBufferPointer { dst.update(from: $0.baseAddress!, count: $0.count) } }
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
