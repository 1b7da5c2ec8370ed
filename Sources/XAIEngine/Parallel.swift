import Dispatch
import Foundation

/// Splits loops over independent items (planes, channels, rows) across the cores: every
/// parallel loop of the engine, its GEMM splits included (OpenBLAS runs single-threaded).
enum Parallel {
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Chunks per core for loops big enough: the cores are shared with other processes, and
    /// with exactly one chunk per core a loop waits for whichever core was taken away; with a
    /// few, the free core picks up the rest (chunks are handed out dynamically).
    static let chunksPerCore = 4

    /// Calls `body` on disjoint sub-ranges covering 0..<count. `grain` is the least number of
    /// items worth a chunk of its own, so tiny loops stay on the calling thread.
    static func forRanges(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(cores == 1 ? 1 : cores * chunksPerCore, max(1, count / max(1, grain)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        forEachChunk(chunks) { i in
            let lo = count * i / chunks
            let hi = count * (i + 1) / chunks
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Whether the current thread is running one of these loops' chunks (where a nested loop
    /// runs inline); false where that is not tracked (the GCD fallback).
    static var isInsideLoop: Bool {
        #if os(Linux)
        return WorkerPool.shared != nil && InsidePool.isSet
        #else
        return false
        #endif
    }

    /// Whether a parallel loop started on this thread now would run inline, on this thread alone:
    /// inside a loop's chunk, on one core, or while another thread (a second engine task) holds
    /// the pool. Kernels whose split does not change their results use it to pick the shape
    /// that is fastest on one core; it may turn false a moment later (the other thread's loop
    /// ends), which costs only speed.
    static var loopsRunInline: Bool {
        #if os(Linux)
        if let pool = WorkerPool.shared { return InsidePool.isSet || pool.isBusy }
        #endif
        return cores == 1
    }

    /// Calls `body(i)` once for every i in 0..<count, concurrently, and returns when all are
    /// done. Runs on the persistent `WorkerPool` (where there is one); calls from inside such a
    /// loop run inline, in order.
    static func forEachChunk(_ count: Int, _ body: (Int) -> Void) {
        #if os(Linux)
        if let pool = WorkerPool.shared {
            pool.run(count, body)
            return
        }
        #endif
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}
