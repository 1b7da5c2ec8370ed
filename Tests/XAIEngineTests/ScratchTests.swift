import Foundation
import Synchronization
import XCTest
@testable import XAIEngine

/// Per-thread kernel scratch (Scratch.swift): aligned, distinct buffers at each nesting depth,
/// reused by the next call at the same depth, grown when a call asks for more, and separate
/// for separate threads.
final class ScratchTests: XCTestCase {
    func testNestedCallsGetDistinctAlignedBuffersThatAreReused() {
        var outer: UnsafeMutablePointer<Float>?
        var inner: UnsafeMutablePointer<Float>?
        Scratch.with(Float.self, count: 100) { a in
            outer = a
            a.initialize(repeating: 1, count: 100)
            Scratch.with(Float.self, count: 100) { b in
                inner = b
                b.initialize(repeating: 2, count: 100)
            }
            // The inner call wrote its own buffer, not this one.
            XCTAssertEqual((0..<100).map { a[$0] }, [Float](repeating: 1, count: 100))
        }
        XCTAssertNotEqual(outer, inner)
        for p in [outer, inner] { XCTAssertEqual(Int(bitPattern: p) % 64, 0, "scratch is 64-byte aligned") }
        Scratch.with(Float.self, count: 50) { XCTAssertEqual($0, outer, "the same depth reuses its buffer") }
    }

    func testGrowsForLargerRequests() {
        // A fresh thread's first request takes a whole page, so a page's request needs no new one.
        let reused = onNewThread {
            let small = Scratch.with(UInt8.self, count: 10) { Int(bitPattern: $0) }
            return small == Scratch.with(UInt8.self, count: 4096) { Int(bitPattern: $0) }
        }
        XCTAssertTrue(reused, "buffers are whole pages")
        Scratch.with(UInt8.self, count: 10) { _ in }
        Scratch.with(Double.self, count: 1 << 20) { p in
            // Every element is addressable: write the first and last.
            p[0] = 1
            p[(1 << 20) - 1] = 2
            XCTAssertEqual(p[0] + p[(1 << 20) - 1], 3)
        }
    }

    func testThreadsHaveTheirOwnBuffers() {
        let here = Scratch.with(Float.self, count: 16) { Int(bitPattern: $0) }
        let there = onNewThread { Scratch.with(Float.self, count: 16) { Int(bitPattern: $0) } }
        XCTAssertNotEqual(there, 0)
        XCTAssertNotEqual(here, there)
    }

    /// `body`'s result, run on a thread of its own (which starts with no scratch) and awaited.
    private func onNewThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.withLock { $0! }
    }
}
