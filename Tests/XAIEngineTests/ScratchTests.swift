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
        // On a fresh thread: a first request takes a whole page, so a page's request needs no new one.
        let reused = Mutex(false)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let small = Scratch.with(UInt8.self, count: 10) { Int(bitPattern: $0) }
            let page = Scratch.with(UInt8.self, count: 4096) { Int(bitPattern: $0) }
            reused.withLock { $0 = small == page }
            done.signal()
        }
        thread.start()
        done.wait()
        XCTAssertTrue(reused.withLock { $0 }, "buffers are whole pages")
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
        let there = Mutex(0)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let address = Scratch.with(Float.self, count: 16) { Int(bitPattern: $0) }
            there.withLock { $0 = address }
            done.signal()
        }
        thread.start()
        done.wait()
        let address = there.withLock { $0 }
        XCTAssertNotEqual(address, 0)
        XCTAssertNotEqual(here, address)
    }
}
