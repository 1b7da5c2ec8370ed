import Foundation
import XCTest
import XAITestSupport
@testable import XAIPlanner

/// Issue 14 leftovers: the cache hashes files users name (images, masks, labels, models), so
/// hashing must refuse what is not a regular file instead of blocking on a FIFO or reading
/// `/dev/zero` forever, and judge a symbolic link by its target (the rule `RegularFile` applies).
final class ContentHashUntrustedFileTests: TemporaryDirectoryTestCase {
    func testFIFOAndDevicesAreRefusedNotRead() throws {
        let fifo = tmp.appendingPathComponent("cat.png")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        XCTAssertThrowsError(try ContentHash.sha256(file: fifo)) {
            XCTAssertEqual("\($0)", "\(fifo.path): cannot hash the file: it is a FIFO (named pipe), not a regular file")
        }
        for device in ["/dev/zero", "/dev/urandom"] {
            XCTAssertThrowsError(try ContentHash.sha256(file: URL(fileURLWithPath: device))) {
                XCTAssertEqual("\($0)", "\(device): cannot hash the file: it is a character device such as /dev/zero, not a regular file")
            }
        }
        XCTAssertThrowsError(try ContentHash.sha256(file: tmp)) { XCTAssertTrue("\($0)".hasSuffix("it is a directory"), "\($0)") }
        // Through the run's hasher as well (what the planner calls).
        XCTAssertThrowsError(try FileHasher().sha256(file: fifo)) { XCTAssertTrue("\($0)".contains("FIFO"), "\($0)") }
    }

    func testSymbolicLinksAreJudgedByTheirTarget() throws {
        let file = tmp.appendingPathComponent("model.onnx")
        try Data("weights".utf8).write(to: file)
        let toFile = tmp.appendingPathComponent("link.onnx")
        try FileManager.default.createSymbolicLink(at: toFile, withDestinationURL: file)
        XCTAssertEqual(try ContentHash.sha256(file: toFile), ContentHash.sha256(Data("weights".utf8)))
        let toDevice = tmp.appendingPathComponent("zero.onnx")
        try FileManager.default.createSymbolicLink(atPath: toDevice.path, withDestinationPath: "/dev/zero")
        XCTAssertThrowsError(try ContentHash.sha256(file: toDevice)) { XCTAssertTrue("\($0)".contains("character device"), "\($0)") }
        let dangling = tmp.appendingPathComponent("gone.onnx")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "nowhere")
        XCTAssertThrowsError(try ContentHash.sha256(file: dangling)) {
            XCTAssertTrue("\($0)".contains("symbolic link to a missing file"), "\($0)")
        }
    }

    func testSizeLimitIsCheckedBeforeReading() throws {
        let file = tmp.appendingPathComponent("big.bin")
        try Data(count: 100).write(to: file)
        XCTAssertThrowsError(try ContentHash.sha256(file: file, maxBytes: 99)) {
            XCTAssertEqual("\($0)", "\(file.path): cannot hash the file: the file has 100 bytes; the limit is 99")
        }
        XCTAssertEqual(try ContentHash.sha256(file: file, maxBytes: 100), ContentHash.sha256(Data(count: 100)))
    }
}
