import XCTest
import XAITestSupport
@testable import XAIPlanner

final class ContentHashTests: TemporaryDirectoryTestCase {
    func testKnownDigests() {
        XCTAssertEqual(ContentHash.sha256(string: "abc"),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(ContentHash.sha256(Data()),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    func testStreamedFileHashEqualsInMemoryHash() throws {
        // Larger than one chunk and not a multiple of it, so several reads and a short last one happen.
        var data = Data(count: ContentHash.chunkSize * 2 + 12345)
        for i in stride(from: 0, to: data.count, by: 997) { data[i] = UInt8(i % 251) }
        let url = tmp.appendingPathComponent("big.bin")
        try data.write(to: url)
        XCTAssertEqual(try ContentHash.sha256(file: url), ContentHash.sha256(data))
    }

    func testMissingFileNamesThePath() {
        let url = tmp.appendingPathComponent("nope.onnx")
        XCTAssertThrowsError(try ContentHash.sha256(file: url)) { XCTAssertTrue("\($0)".contains("nope.onnx")) }
    }

    func testHasherReadsEachFileOncePerRun() throws {
        let url = tmp.appendingPathComponent("model.onnx")
        try Data("weights".utf8).write(to: url)
        let hasher = FileHasher()
        let a = try hasher.sha256(file: url)
        let b = try hasher.sha256(file: url)
        XCTAssertEqual(a, b)
        XCTAssertEqual(hasher.filesRead, 1)
        // A changed file is noticed (size changes, and so does the mtime).
        try Data("other weights".utf8).write(to: url)
        XCTAssertEqual(try hasher.sha256(file: url), ContentHash.sha256(string: "other weights"))
        XCTAssertEqual(hasher.filesRead, 2)
    }

    func testPersistentMemoSkipsOldFilesButNotRecentOnes() throws {
        let memo = tmp.appendingPathComponent(".cache/hash-memo.json")
        let old = tmp.appendingPathComponent("old.bin"), fresh = tmp.appendingPathComponent("fresh.bin")
        try Data("old".utf8).write(to: old)
        try Data("fresh".utf8).write(to: fresh)
        let past = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: old.path)
        // ctime cannot be set back, so wait until the old file's ctime leaves the racy window.
        Thread.sleep(forTimeInterval: Double(FileHasher.racyWindowSeconds) + 0.2)
        try Data("fresh".utf8).write(to: fresh)

        let first = FileHasher(memoURL: memo)
        _ = try first.sha256(file: old)
        _ = try first.sha256(file: fresh)
        try first.save()

        let second = FileHasher(memoURL: memo)
        XCTAssertEqual(try second.sha256(file: old), ContentHash.sha256(string: "old"))
        XCTAssertEqual(try second.sha256(file: fresh), ContentHash.sha256(string: "fresh"))
        XCTAssertEqual(second.filesRead, 1, "only the recently modified file is read again")
    }
}
