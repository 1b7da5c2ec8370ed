import Foundation
import XCTest
import XAICore
import XAIManifest
import XAITestSupport
@testable import XAIDiff

/// Files read from the cache are untrusted: regular files only, bounded, shapes verified.
final class CachedFileTests: TemporaryDirectoryTestCase {
    func testMapIsReadWhenItHasTheRecordedShape() throws {
        let url = tmp.appendingPathComponent("map.npy")
        try NPY.write(Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]), to: url)
        XCTAssertEqual(try CachedFile.map(url, shape: [2, 3]).data, [1, 2, 3, 4, 5, 6])
        XCTAssertThrowsError(try CachedFile.map(url, shape: [3, 2])) { error in
            XCTAssertTrue("\(error)".contains("holds shape [2, 3], the run recorded [3, 2]"), "\(error)")
        }
    }

    func testNonFiniteValuesAreRefused() throws {
        let url = tmp.appendingPathComponent("nan.npy")
        try NPY.write(Tensor(shape: [2], data: [1, .nan]), to: url)
        XCTAssertThrowsError(try CachedFile.map(url, shape: [2])) { error in
            XCTAssertTrue("\(error)".contains("NaN"), "\(error)")
        }
    }

    func testLinksDirectoriesAndOversizedFilesAreRefused() throws {
        let target = tmp.appendingPathComponent("map.npy")
        try NPY.write(Tensor(shape: [1], data: [1]), to: target)
        let link = tmp.appendingPathComponent("link.npy")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let big = tmp.appendingPathComponent("big.npy")
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(CachedFile.maxBytes + 1))  // sparse: no real bytes written
        try handle.close()
        let cases: [(URL, String)] = [(link, "not a regular file"), (tmp, "not a regular file"),
                                      (big, "more than the \(CachedFile.maxBytes) allowed"),
                                      (tmp.appendingPathComponent("absent"), "cannot be read")]
        for (url, reason) in cases {
            XCTAssertThrowsError(try CachedFile.bytes(url), url.lastPathComponent) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(url.lastPathComponent): \(error)")
            }
        }
    }
}
