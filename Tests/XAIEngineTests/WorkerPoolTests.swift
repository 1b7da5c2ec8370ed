import Foundation
import Glibc
import Synchronization
import XAICore
import XCTest
@testable import XAIEngine

/// The persistent worker pool (WorkerPool.swift) behind `Parallel.forRanges`: every index is
/// covered exactly once with the chunk boundaries the engine has always used, nested loops run
/// inline on the thread that started them, and thousands of back-to-back small loops (the
/// pattern of a batch-1 pass) or loops from two threads at once all finish with the right sums.
final class WorkerPoolTests: XCTestCase {
    /// Pools of their own: parked threads only (no spinning), shares with stealing, yielding spins.
    private static let pools: [WorkerPool] = [
        WorkerPool(workers: 1, spinMicroseconds: 0, affine: false),
        WorkerPool(workers: 3, spinMicroseconds: 0, affine: true),
        WorkerPool(workers: 2, spinMicroseconds: 50, affine: true, yielding: 4),
    ]

    /// How many times each of 0..<count was handed to `body` by `loop`.
    private func visits(_ count: Int, _ loop: ((Int) -> Void) -> Void) -> [Int] {
        let hits = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: max(1, count))
        for i in 0..<count { (hits + i).initialize(to: Atomic(0)) }
        defer { hits.deinitialize(count: count); hits.deallocate() }
        loop { i in hits[i].wrappingAdd(1, ordering: .relaxed) }
        return (0..<count).map { hits[$0].load(ordering: .relaxed) }
    }

    func testForRangesCoversEveryIndexOnceWithTheUsualChunks() {
        for count in [0, 1, 2, 3, 5, 7, 8, 9, 16, 31, 64, 100, 257, 1000, 4099] {
            for grain in [1, 2, 3, 7, 64, 5000] {
                let seen = Mutex<[Range<Int>]>([])
                let hits = visits(count) { hit in
                    Parallel.forRanges(count, grain: grain) { r in
                        seen.withLock { $0.append(r) }
                        for i in r { hit(i) }
                    }
                }
                XCTAssertEqual(hits, [Int](repeating: 1, count: count), "count \(count) grain \(grain)")
                // The boundaries results depend on (bit for bit): count * i / chunks.
                let chunks = min(Parallel.cores == 1 ? 1 : Parallel.cores * Parallel.chunksPerCore,
                                 max(1, count / grain))
                let expected = count == 0 ? [] : (0..<chunks).map { count * $0 / chunks..<count * ($0 + 1) / chunks }
                    .filter { !$0.isEmpty }
                XCTAssertEqual(seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }, expected,
                               "count \(count) grain \(grain)")
            }
        }
    }

    func testOwnPoolsRunEveryChunkOnce() {
        for pool in Self.pools {
            for count in [0, 1, 2, 3, 4, 5, 8, 13, 64, 100, 1001] {
                let hits = visits(count) { hit in pool.run(count) { hit($0) } }
                XCTAssertEqual(hits, [Int](repeating: 1, count: count), "\(pool.workers) workers, count \(count)")
            }
        }
    }

    func testNestedLoopsRunInlineOnTheCallingThread() {
        for pool in Self.pools + [WorkerPool.shared].compactMap({ $0 }) {
            let outer = 16, inner = 100
            let hits = visits(outer * inner) { hit in
                pool.run(outer) { o in
                    let thread = pthread_self()
                    Parallel.forRanges(inner) { r in
                        XCTAssertTrue(pthread_equal(thread, pthread_self()) != 0, "nested chunk left its thread")
                        for i in r { hit(o * inner + i) }
                    }
                    pool.run(4) { _ in XCTAssertTrue(pthread_equal(thread, pthread_self()) != 0) }
                }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: outer * inner))
        }
    }

    func testMicroBatchesRunTheirOpsInlineAndKeepOrder() throws {
        let parts = try Engine.eachMicroBatch(of: 11, chunk: 2) { range -> [Int] in
            let thread = pthread_self()
            var out = [Int](repeating: 0, count: range.count)
            out.withUnsafeMutableBufferPointer { b in
                Parallel.forRanges(range.count) { r in
                    XCTAssertTrue(pthread_equal(thread, pthread_self()) != 0)
                    for i in r { b[i] = range.lowerBound + i }
                }
            }
            return out
        }
        XCTAssertEqual(parts.flatMap { $0 }, Array(0..<11))
    }

    /// Many consecutive small loops: each must see the previous one finished (the caller
    /// returns only when every chunk has run), whether the helpers spin or park in between.
    func testManyBackToBackSmallLoops() {
        for pool in Self.pools + [WorkerPool.shared].compactMap({ $0 }) {
            let total = Atomic<Int>(0)
            var expected = 0
            for round in 0..<20_000 {
                let n = 2 + round % 9
                pool.run(n) { i in total.wrappingAdd(i + 1, ordering: .relaxed) }
                expected += n * (n + 1) / 2
                if round % 1000 == 0 { XCTAssertEqual(total.load(ordering: .relaxed), expected) }
            }
            XCTAssertEqual(total.load(ordering: .relaxed), expected, "\(pool.workers) workers")
        }
    }

    /// `Parallel.loopsRunInline`: true inside a loop's chunk and on a second thread while the
    /// first holds the pool, false on an idle pool (kernels pick their one-core shapes by it).
    func testLoopsRunInlineInsideChunksAndWhileThePoolIsHeld() throws {
        guard let pool = WorkerPool.shared else { throw XCTSkip("one core: every loop runs inline") }
        XCTAssertFalse(Parallel.loopsRunInline)
        pool.run(4) { _ in XCTAssertTrue(Parallel.loopsRunInline) }
        let holding = DispatchSemaphore(value: 0), checked = DispatchSemaphore(value: 0)
        let seen = Mutex<Bool?>(nil)
        let holder = Thread {
            pool.run(2) { i in
                guard i == 0 else { return }
                holding.signal()
                checked.wait()
            }
        }
        holder.start()
        holding.wait()
        seen.withLock { $0 = Parallel.loopsRunInline }
        checked.signal()
        XCTAssertEqual(seen.withLock { $0 }, true)
    }

    /// A Lite0-shaped batch scored on two threads at once (one holds the pool, the other's
    /// kernels take their one-core shapes) gets the logits of a pass alone, bit for bit.
    func testPassesOnTwoThreadsAtOnceKeepTheirBits() throws {
        let engine = try Engine(graph: ReferenceGraphs.efficientNetLite0Shaped(seed: 6))
        let x = randomTensor([3, 3, 224, 224], seed: 62)
        let alone = try engine.forward(x, retain: .outputs).output
        let results = Mutex<[Tensor?]>([nil, nil])
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            let y = try? engine.forward(x, retain: .outputs).output
            results.withLock { $0[t] = y }
        }
        for (t, y) in results.withLock({ $0 }).enumerated() {
            let y = try XCTUnwrap(y)
            print("thread \(t): max diff \(y.maxAbsDifference(alone)) against the pass alone (bitwise equal expected)")
            XCTAssertEqual(zip(y.data, alone.data).filter { $0.bitPattern != $1.bitPattern }.count, 0)
        }
    }

    /// Two threads starting loops at once: one holds the pool, the other runs inline.
    func testLoopsFromTwoThreadsAtOnce() {
        let sums = Mutex<[Int]>([0, 0])
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            let local = Atomic<Int>(0)
            for _ in 0..<2000 {
                Parallel.forRanges(64) { r in local.wrappingAdd(r.reduce(0, +), ordering: .relaxed) }
            }
            sums.withLock { $0[t] = local.load(ordering: .relaxed) }
        }
        XCTAssertEqual(sums.withLock { $0 }, [2000 * 2016, 2000 * 2016])
    }
}
