import Foundation
import XCTest
@testable import XAIEngine

/// The last-level cache's size from a sysfs-shaped folder, and the micro-batch bound it sets.
final class LastLevelCacheTests: XCTestCase {
    func testParsesSysfsSizes() {
        XCTAssertEqual(LastLevelCache.parse("32768K\n"), 32 << 20)
        XCTAssertEqual(LastLevelCache.parse("1M"), 1 << 20)
        XCTAssertEqual(LastLevelCache.parse("4096"), 4096)
        for bad in ["", "K", "-5K", "0K", "12Q", "1.5M", "99999999999999999999G"] {
            XCTAssertNil(LastLevelCache.parse(bad), bad)
        }
    }

    /// The highest level wins, whatever the index order; unreadable entries are skipped.
    func testReadsTheHighestLevel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("llc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let entries = [(0, "1", "32K"), (1, "3", "32768K"), (2, "2", "1024K"), (3, "x", "64M")]
        for (i, level, size) in entries {
            let index = folder.appendingPathComponent("index\(i)")
            try FileManager.default.createDirectory(at: index, withIntermediateDirectories: true)
            try Data((level + "\n").utf8).write(to: index.appendingPathComponent("level"))
            try Data((size + "\n").utf8).write(to: index.appendingPathComponent("size"))
        }
        XCTAssertEqual(LastLevelCache.read(under: folder.path), 32 << 20)
        XCTAssertNil(LastLevelCache.read(under: folder.appendingPathComponent("missing").path))
        if let here = LastLevelCache.bytes { print("this machine's last-level cache: \(here >> 20) MiB") }
    }

    /// ResNet-50's largest tensor ([64, 112, 112]) in a 32 MiB cache on two cores: one image a
    /// core; an unknown cache bounds nothing.
    func testCacheBoundsTheMicroBatch() throws {
        try XCTSkipUnless(Parallel.cores == 2, "the figures assume two cores")
        XCTAssertEqual(Engine.cacheBound(largestItemFloats: 64 * 112 * 112, cache: 32 << 20), 1)
        XCTAssertEqual(Engine.cacheBound(largestItemFloats: 64 * 112 * 112, cache: 320 << 20), 13)
        XCTAssertEqual(Engine.cacheBound(largestItemFloats: 1 << 30, cache: 1 << 20), 1)
        XCTAssertEqual(Engine.cacheBound(largestItemFloats: 64 * 112 * 112, cache: nil), .max)
    }

    /// A fused block's expansion is never written, and its depthwise output only to the
    /// workspace, whole, before the projection reads it: Lite0's largest written tensor is
    /// [16, 112, 112], its largest staged buffer a 56x56 block's [144, 56, 56], which bounds
    /// the micro-batch in a 32 MiB cache to two.
    func testFusedDepthwiseOutputsCountAsStaged() throws {
        let engine = try Engine(graph: ReferenceGraphs.efficientNetLite0Shaped(seed: 5))
        XCTAssertFalse(engine.pairedProjections.isEmpty)
        XCTAssertEqual(engine.largestWrittenItem, 16 * 112 * 112)
        XCTAssertEqual(engine.largestStagedItem, 144 * 56 * 56)
        try XCTSkipUnless(Parallel.cores == 2, "the figure assumes two cores")
        XCTAssertEqual(Engine.cacheBound(largestItemFloats: engine.largestStagedItem, cache: 32 << 20), 2)
    }
}
