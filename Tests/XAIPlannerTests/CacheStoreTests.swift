import XCTest
import XAITestSupport
@testable import XAIPlanner

final class CacheStoreTests: TemporaryDirectoryTestCase {
    func makeKey(_ n: Int) -> CacheKey {
        CacheKey(kind: "explain", params: ["n": "\(n)"], seed: 0, inputs: [:], dependencies: [], version: 1)
    }

    func meta(_ key: CacheKey) -> CacheEntryMeta {
        CacheEntryMeta(key: key, kind: "explain", task: "img/m", params: ["n": "1"])
    }

    func testCommitThenLookup() throws {
        let store = try CacheStore(outputs: tmp)
        let k = makeKey(1)
        XCTAssertNil(store.lookup(k))
        let e = try store.commit(k, files: ["map.npy": Data([1, 2]), "sub/a.json": Data("{}".utf8)], meta: meta(k))
        XCTAssertEqual(e.meta.files.keys.sorted(), ["map.npy", "sub/a.json"])
        let found = try XCTUnwrap(store.lookup(k))
        XCTAssertEqual(try found.data("map.npy"), Data([1, 2]))
        XCTAssertEqual(found.directory.path, tmp.appendingPathComponent(".cache/\(k.hex.prefix(2))/\(k.hex)").path)
        XCTAssertEqual(store.allKeys(), [k])
    }

    func testHalfWrittenEntryIsNeverVisible() throws {
        let store = try CacheStore(outputs: tmp)
        let k = makeKey(2)
        struct Crash: Error {}
        store.faultInjection = { [store] stage, staging in
            // At the last moment before the rename, everything is written but nothing is visible.
            XCTAssertEqual(stage, .beforeRename)
            XCTAssertTrue(FileManager.default.fileExists(atPath: staging.appendingPathComponent("map.npy").path))
            XCTAssertNil(store.lookup(k))
            throw Crash()
        }
        XCTAssertThrowsError(try store.commit(k, files: ["map.npy": Data([9])], meta: meta(k)))
        XCTAssertNil(store.lookup(k))
        XCTAssertEqual(store.allKeys(), [])
        store.faultInjection = nil
        try store.commit(k, files: ["map.npy": Data([9])], meta: meta(k))
        XCTAssertEqual(try store.lookup(k)?.data("map.npy"), Data([9]))
    }

    func testLeftoversOfAKilledRunAreIgnoredAndCleanedUp() throws {
        let store = try CacheStore(outputs: tmp)
        let k = makeKey(3)
        // What a run killed mid-commit leaves: a staging folder named after its (now dead) pid.
        let dead = try deadPID()
        let leftover = store.temporaryRoot.appendingPathComponent("\(k.hex)-\(dead)-123")
        try FileManager.default.createDirectory(at: leftover, withIntermediateDirectories: true)
        try Data([1, 2]).write(to: leftover.appendingPathComponent("map.npy"))  // truncated, no meta.json
        // And a staging folder of a live run (this process) that must be left alone.
        let live = store.temporaryRoot.appendingPathComponent("\(k.hex)-\(getpid())-456")
        try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)

        XCTAssertNil(store.lookup(k))
        XCTAssertEqual(store.removeStaleTemporaries(dryRun: true), [leftover.lastPathComponent])
        XCTAssertTrue(FileManager.default.fileExists(atPath: leftover.path))
        XCTAssertEqual(store.removeStaleTemporaries(), [leftover.lastPathComponent])
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: live.path))
    }

    func testDamagedEntryCountsAsMissingAndIsReplaced() throws {
        let store = try CacheStore(outputs: tmp)
        let k = makeKey(4)
        let e = try store.commit(k, files: ["map.npy": Data([1])], meta: meta(k))
        try FileManager.default.removeItem(at: e.url("map.npy"))
        XCTAssertNil(store.lookup(k), "an entry missing a listed file is not trusted")
        try store.commit(k, files: ["map.npy": Data([2])], meta: meta(k))
        XCTAssertEqual(try store.lookup(k)?.data("map.npy"), Data([2]))
        // An entry whose meta.json names another key is not trusted either.
        let other = makeKey(5)
        var m = try JSONDecoder().decode(CacheEntryMeta.self, from: Data(contentsOf: e.url("meta.json")))
        m.key = other
        try JSONEncoder().encode(m).write(to: e.url("meta.json"))
        XCTAssertNil(store.lookup(k))
    }

    func testExistingEntryIsKeptUnlessReplaced() throws {
        let store = try CacheStore(outputs: tmp)
        let k = makeKey(6)
        try store.commit(k, files: ["a": Data([1])], meta: meta(k))
        try store.commit(k, files: ["a": Data([2])], meta: meta(k))
        XCTAssertEqual(try store.lookup(k)?.data("a"), Data([1]))
        try store.commit(k, files: ["a": Data([3])], meta: meta(k), replace: true)
        XCTAssertEqual(try store.lookup(k)?.data("a"), Data([3]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.temporaryRoot.path), [])
    }

    func testGCDryRunReportsAndRealRunRemoves() throws {
        let store = try CacheStore(outputs: tmp)
        let keys = (10..<14).map(makeKey)
        for k in keys { try store.commit(k, files: ["x": Data(count: 100)], meta: meta(k)) }
        let keep: Set = [keys[0], keys[2]]
        let dry = try store.gc(keeping: keep, dryRun: true)
        XCTAssertEqual(dry.removedEntries, [keys[1], keys[3]].sorted())
        XCTAssertGreaterThanOrEqual(dry.bytes, 200)
        XCTAssertEqual(store.allKeys(), keys.sorted(), "a dry run removes nothing")
        let real = try store.gc(keeping: keep, dryRun: false)
        XCTAssertEqual(real.removedEntries, dry.removedEntries)
        XCTAssertEqual(store.allKeys(), keep.sorted())
        XCTAssertNotNil(store.lookup(keys[0]))
        XCTAssertNil(store.lookup(keys[1]))
    }

    func testGCIgnoresFilesThatAreNotEntries() throws {
        let store = try CacheStore(outputs: tmp)
        try Data("{}".utf8).write(to: store.root.appendingPathComponent("hash-memo.json"))
        XCTAssertEqual(try store.gc(keeping: [], dryRun: false).removedEntries, [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.root.appendingPathComponent("hash-memo.json").path))
    }

    func testConcurrentCommitsOfTheSameKey() throws {
        let store = try CacheStore(outputs: tmp)
        let k = makeKey(20)
        let m = meta(k)
        let failures = LineSink()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                try store.commit(k, files: ["a": Data([UInt8(i)])], meta: m)
            } catch {
                failures.append("\(error)")
            }
        }
        XCTAssertEqual(failures.text, "")
        XCTAssertNotNil(store.lookup(k))
        XCTAssertEqual(store.allKeys(), [k])
    }
}
