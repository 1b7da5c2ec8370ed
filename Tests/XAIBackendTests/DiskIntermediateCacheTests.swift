import Foundation
import XCTest
import XAICore
@testable import XAIBackend
import XAITestSupport

/// The intermediate results' folder as `xai gc` and a run meet it: reads renew an entry's time,
/// stale entries go, and nothing but a regular file named like an entry is read or removed.
final class DiskIntermediateCacheTests: TemporaryDirectoryTestCase {
    let longAgo = Date(timeIntervalSince1970: 1_000_000_000)

    func modified(_ url: URL) throws -> Date {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)
    }

    func age(_ url: URL) throws {
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: url.path)
    }

    func entries(_ cache: DiskIntermediateCache) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: cache.folder, includingPropertiesForKeys: nil)
            .filter { DiskIntermediateCache.isEntryName($0.lastPathComponent) }
    }

    func testReadsRenewAnEntrysTimeAndOnlyUnusedEntriesAreRemoved() throws {
        let cache = DiskIntermediateCache(cacheRoot: tmp)
        cache.store("used", Tensor(shape: [2], data: [1, 2]))
        cache.store("unused", Tensor(shape: [1], data: [3]))
        let files = try entries(cache)
        XCTAssertEqual(files.count, 2)
        for f in files { try age(f) }
        XCTAssertEqual(cache.load("used")?.data, [1, 2])
        let renewed = try files.filter { try modified($0) > longAgo }
        XCTAssertEqual(renewed.count, 1, "the entry read is the one whose time moved")

        let since = Date().addingTimeInterval(-60)
        let dry = cache.removeUnused(since: since, dryRun: true)
        XCTAssertEqual(dry.files, 1)
        XCTAssertEqual(try entries(cache).count, 2, "a dry run removes nothing")
        let removed = cache.removeUnused(since: since, dryRun: false)
        XCTAssertEqual(removed.files, 1)
        XCTAssertEqual(removed.bytes, dry.bytes)
        XCTAssertEqual(cache.load("used")?.data, [1, 2])
        XCTAssertNil(cache.load("unused"), "removed, so computed again")
    }

    func testLinksAndOtherFilesAreNeitherReadNorRemoved() throws {
        let cache = DiskIntermediateCache(cacheRoot: tmp)
        cache.store("real", Tensor(shape: [1], data: [5]))
        let real = try XCTUnwrap(try entries(cache).first)
        // An entry name that is a link to the real entry: refused on read, left by gc.
        cache.store("linked", Tensor(shape: [1], data: [6]))
        let linked = try XCTUnwrap(try entries(cache).first { $0 != real })
        try FileManager.default.removeItem(at: linked)
        try FileManager.default.createSymbolicLink(at: linked, withDestinationURL: real)
        XCTAssertNil(cache.load("linked"), "a symbolic link is not followed")
        let other = cache.folder.appendingPathComponent("notes.txt")
        try Data("x".utf8).write(to: other)
        try age(real)
        try age(other)

        let removed = cache.removeUnused(since: Date(), dryRun: false)
        XCTAssertEqual(removed.files, 1, "only the real, stale entry")
        XCTAssertFalse(FileManager.default.fileExists(atPath: real.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: other.path))
        XCTAssertNotNil(try? FileManager.default.destinationOfSymbolicLink(atPath: linked.path), "the link stays")
    }

    func testEntryNames() {
        XCTAssertTrue(DiskIntermediateCache.isEntryName(String(repeating: "a0", count: 32) + ".npy"))
        XCTAssertFalse(DiskIntermediateCache.isEntryName(String(repeating: "A0", count: 32) + ".npy"))
        XCTAssertFalse(DiskIntermediateCache.isEntryName(String(repeating: "a0", count: 31) + ".npy"))
        XCTAssertFalse(DiskIntermediateCache.isEntryName(String(repeating: "a0", count: 32) + ".npy.tmp"))
    }
}
