import XCTest
import XAITestSupport
@testable import XAIManifest

final class AtomicFileTests: TemporaryDirectoryTestCase {
    func testAtomicWriteReplacesAndLeavesNoTemporaries() throws {
        let url = tmp.appendingPathComponent("out/manifest.json")
        try AtomicFile.write("one", to: url)
        try AtomicFile.write("two", to: url, sync: true)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path),
                       ["manifest.json"])
    }

    func testAtomicWriteFailureLeavesOldContents() throws {
        let url = tmp.appendingPathComponent("a.txt")
        try AtomicFile.write("old", to: url)
        // Renaming a file over a non-empty directory fails; the old file must survive untouched.
        let blocked = tmp.appendingPathComponent("dir")
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent("x"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write("new", to: blocked))
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted(), ["a.txt", "dir"])
    }
}
