import XCTest
import XAICore
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// The cache cannot be poisoned: outputs are copies, each entry records its files' sizes and
/// SHA-256, and an entry found damaged is recomputed (said once) instead of reused or fatal.
final class CacheIntegrityTests: TemporaryDirectoryTestCase {
    /// Runs the fake experiment once and returns the runner and its manifest.
    func firstRun(name: String = "demo") throws -> (ExperimentRunner, Manifest) {
        let runner = try ExperimentRunner(experiment: try loadFakeExperiment(name: name), backend: FakeBackend())
        let result = try runner.run()
        XCTAssertTrue(result.report.succeeded, "\(result.report.failures)")
        return (runner, result.manifest)
    }

    /// The cache entry folder of task `id`.
    func entry(_ runner: ExperimentRunner, _ id: String) throws -> URL {
        let task = try XCTUnwrap(try runner.buildGraph().graph[id], "no task \(id)")
        return runner.cache.directory(for: task.key)
    }

    /// Runs again with a fresh backend after `damage`, expecting success, task `id` recomputed
    /// and said so once as `detail`, and every output as it was.
    func assertRepaired(_ id: String, detail: String, file: StaticString = #filePath, line: UInt = #line,
                        damage: (URL) throws -> Void) throws {
        let (runner, before) = try firstRun()
        try damage(try entry(runner, id))
        let backend = FakeBackend()
        let key = try runner.buildGraph().graph[id]!.key
        let printed = Printed()
        let again = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: backend)
            .run(progress: ConsoleProgress(interactive: false, write: printed.append))
        XCTAssertTrue(again.report.succeeded, "\(again.report.failures)", file: file, line: line)
        let notice = "cache entry \(key.prefix()) for task \(id) was damaged (\(detail)); recomputed"
        XCTAssertEqual(again.report.repairNotices, [notice], file: file, line: line)
        XCTAssertEqual(printed.text.components(separatedBy: "\n").filter { $0.contains("damaged") }, [notice],
                       "said once", file: file, line: line)
        XCTAssertFalse(backend.calls.isEmpty, "the damaged task ran again", file: file, line: line)
        XCTAssertEqual(again.manifest.results, before.results, file: file, line: line)
        for r in before.results {
            for path in [r.map, r.overlay!] + Array(r.arrays.values) {
                XCTAssertEqual(try Data(contentsOf: again.folder.appendingPathComponent(path)),
                               try Data(contentsOf: referenceFolder().appendingPathComponent(path)),
                               "\(path) is the true result", file: file, line: line)
            }
        }
        let third = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: backend).run()
        XCTAssertEqual(third.report.repairNotices, [], "repaired for good", file: file, line: line)
    }

    /// What a progress reporter wrote.
    final class Printed: @unchecked Sendable {
        private let lock = NSLock()
        private var parts = [String]()
        var text: String { lock.withLock { parts.joined() } }
        func append(_ s: String) { lock.withLock { parts.append(s) } }
    }

    /// The outputs of an undamaged run of the same experiment in a separate outputs folder.
    func referenceFolder() throws -> URL {
        let folder = tmp.appendingPathComponent("Reference/demo")
        if !FileManager.default.fileExists(atPath: folder.path) {
            let result = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: FakeBackend(), folder: folder).run()
            XCTAssertTrue(result.report.succeeded)
        }
        return folder
    }

    func truncate(_ url: URL, to size: Int) throws {
        let data = try Data(contentsOf: url)
        try data.prefix(size).write(to: url)
    }

    /// Overwrites bytes in place (same inode, same size), as an editor or a bad disk would.
    func overwrite(_ url: URL, at offset: UInt64, with bytes: [UInt8]) throws {
        let handle = try FileHandle(forUpdating: url)
        try handle.seek(toOffset: offset)
        handle.write(Data(bytes))
        try handle.close()
    }

    /// Rewrites the entry's `meta.json` through `edit`, keeping it self-consistent (as a bug
    /// writing bad contents would leave it): damage only its files' contents can reveal.
    func editMeta(_ dir: URL, _ edit: (inout [String: Any]) throws -> Void) throws {
        let url = dir.appendingPathComponent("meta.json")
        var meta = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        try edit(&meta)
        try JSONSerialization.data(withJSONObject: meta).write(to: url)
    }

    /// Replaces `name` in the entry with `bytes` and records their size and hash in `meta.json`.
    func replaceConsistently(_ dir: URL, _ name: String, with bytes: Data) throws {
        try bytes.write(to: dir.appendingPathComponent(name))
        try editMeta(dir) { meta in
            var files = try XCTUnwrap(meta["files"] as? [String: Any])
            files[name] = ["size": bytes.count, "sha256": ContentHash.sha256(bytes)]
            meta["files"] = files
        }
    }

    // MARK: outputs are copies

    func testEditingAnOutputInPlaceChangesNeitherTheCacheNorAnotherExperiment() throws {
        let (_, a) = try firstRun(name: "a")
        let r = try XCTUnwrap(a.results.first { $0.image == "chelsea" && $0.method == "occlusion" })
        let mapA = tmp.appendingPathComponent("Outputs/a").appendingPathComponent(r.map)
        let original = try Data(contentsOf: mapA)
        try overwrite(mapA, at: UInt64(original.count - 8), with: Array(repeating: 0x7f, count: 8))

        let backend = FakeBackend()
        let b = try ExperimentRunner(experiment: try loadFakeExperiment(name: "b"), backend: backend).run()
        XCTAssertEqual(backend.calls, [], "experiment b reuses a's results")
        XCTAssertEqual(b.report.repairNotices, [])
        XCTAssertEqual(try Data(contentsOf: tmp.appendingPathComponent("Outputs/b").appendingPathComponent(r.map)), original,
                       "b gets the true map, not a's edited copy")
    }

    // MARK: damaged entries are recomputed (issue 14, items 3 and 4)

    func testFlippedBytesInACachedMapAreRepaired() throws {
        try assertRepaired("chelsea/occlusion", detail: "map.npy: contents differ from the recorded SHA-256") { dir in
            let url = dir.appendingPathComponent("map.npy")
            let size = try Data(contentsOf: url).count
            try overwrite(url, at: UInt64(size - 4), with: [0x00, 0x00, 0x80, 0x7f])  // +Inf
        }
    }

    /// `file` of task `id`'s entry cut to `size` bytes of its `expected`.
    func assertTruncationRepaired(_ id: String, _ file: String, to size: Int, expected: Int,
                                  line: UInt = #line) throws {
        try assertRepaired(id, detail: "\(file): size \(size), expected \(expected)", line: line) { dir in
            try truncate(dir.appendingPathComponent(file), to: size)
        }
    }

    func testTruncatedMapIsRepaired() throws {
        try assertTruncationRepaired("chelsea/occlusion", "map.npy", to: 100, expected: 192)
    }

    func testTruncatedOverlayIsRepaired() throws {
        try assertTruncationRepaired("chelsea/occlusion/overlay", "overlay.png", to: 10, expected: 192)
    }

    func testTruncatedDecodedInputIsRepaired() throws {
        try assertTruncationRepaired("chelsea/decode", "input.npy", to: 64, expected: 320)
    }

    func testTruncatedProbabilitiesAreRepaired() throws {
        try assertTruncationRepaired("chelsea/predict", "probabilities.npy", to: 130, expected: 144)
    }

    /// A link in an entry is never followed, even to a file with the right bytes.
    func testLinkedFileInAnEntryIsRepaired() throws {
        try assertRepaired("chelsea/occlusion", detail: "map.npy: not a regular file") { dir in
            let map = dir.appendingPathComponent("map.npy"), copy = tmp.appendingPathComponent("copy.npy")
            try FileManager.default.moveItem(at: map, to: copy)
            try FileManager.default.createSymbolicLink(at: map, withDestinationURL: copy)
        }
    }

    /// `xai plan` says which entries it sees damaged (from sizes alone, reading no contents).
    func testPlanNamesADamagedEntry() throws {
        let (runner, _) = try firstRun()
        try truncate(try entry(runner, "chelsea/occlusion").appendingPathComponent("map.npy"), to: 100)
        let items = try runner.plan().items.filter { $0.reason.willRun }
        XCTAssertEqual(items.map(\.task.id), ["chelsea/occlusion"], "dependents keep their entries: their keys do not change")
        XCTAssertEqual(items.first?.reason, .cacheDamaged(.wrongSize(file: "map.npy", size: 100, expected: 192)))
        XCTAssertEqual(items.first?.reason.text, "cache entry damaged (map.npy: size 100, expected 192)")
    }

    func testGarbageScaleIsRepaired() throws {
        try assertRepaired("chelsea/occlusion/overlay", detail: "scale.json: not a colour scale") { dir in
            try replaceConsistently(dir, "scale.json", with: Data("garbage".utf8))
        }
    }

    func testBadNPYHeaderIsRepaired() throws {
        try assertRepaired("chelsea/occlusion", detail: "map.npy: missing the \\x93NUMPY magic string") { dir in
            var bytes = try Data(contentsOf: dir.appendingPathComponent("map.npy"))
            bytes[1] = UInt8(ascii: "X")
            try replaceConsistently(dir, "map.npy", with: bytes)
        }
    }

    func testGarbageExplanationSummaryIsRepaired() throws {
        try assertRepaired("chelsea/occlusion", detail: "explanation.json: not an explanation summary") { dir in
            try replaceConsistently(dir, "explanation.json", with: Data("[1, 2".utf8))
        }
    }

    func testEmptyFileListIsRepaired() throws {
        try assertRepaired("chelsea/occlusion", detail: "explanation.json: not in the entry") { dir in
            try editMeta(dir) { $0["files"] = [String: Any]() }
        }
    }

    func testGarbageMetadataIsRepaired() throws {
        try assertRepaired("chelsea/predict", detail: "meta.json: not valid JSON") { dir in
            try Data("{\"format\": 3, ".utf8).write(to: dir.appendingPathComponent("meta.json"))
        }
    }

    /// Entries of an older format are simply absent: recomputed, without a notice.
    func testOlderFormatIsAMissWithoutANotice() throws {
        let (runner, _) = try firstRun()
        try editMeta(try entry(runner, "chelsea/predict")) { $0["format"] = 2 }
        let backend = FakeBackend()
        let again = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: backend).run()
        XCTAssertEqual(again.report.repairNotices, [])
        XCTAssertEqual(backend.calls, ["predict"])
    }

    func testEntryRecordsEachFileSizeAndHash() throws {
        let store = try CacheStore(outputs: tmp)
        let k = CacheKey(kind: "explain", params: [:], seed: nil, inputs: [:], dependencies: [], version: 1)
        let e = try store.commit(k, files: ["map.npy": Data([1, 2, 3]), "sub/a.json": Data("{}".utf8)],
                                 meta: CacheEntryMeta(key: k, kind: "explain", task: "t", params: [:]))
        XCTAssertEqual(e.meta.files, ["map.npy": CachedFile(size: 3, sha256: ContentHash.sha256(Data([1, 2, 3]))),
                                      "sub/a.json": CachedFile(size: 2, sha256: ContentHash.sha256(Data("{}".utf8)))])
        XCTAssertEqual(try store.lookup(k)?.data("map.npy"), Data([1, 2, 3]))
        try Data([1, 2, 4]).write(to: e.url("map.npy"))
        XCTAssertNotNil(store.lookup(k), "lookup checks sizes only")
        XCTAssertThrowsError(try store.lookup(k)?.data("map.npy"), "reading checks the hash") {
            XCTAssertEqual($0 as? CacheDamage, CacheDamage.contentsDiffer(file: "map.npy"))
        }
        try Data([1, 2]).write(to: e.url("map.npy"))
        XCTAssertNil(store.lookup(k))
        XCTAssertEqual(store.inspect(k), .damaged(.wrongSize(file: "map.npy", size: 2, expected: 3)))
    }
}
