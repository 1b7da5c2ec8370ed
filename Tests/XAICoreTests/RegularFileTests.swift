import Foundation
import XCTest
import XAICore

/// Issue 14, item 8: images, masks, labels, experiment files and models are read only from
/// regular files, with a size limit checked before reading.
final class RegularFileTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "xai-regular-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func testReadsARegularFileWhole() throws {
        let path = folder + "/labels.txt"
        try "tench\ngoldfish\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try RegularFile.read(path, maxBytes: 100), Array("tench\ngoldfish\n".utf8))
        XCTAssertEqual(try RegularFile.size(path, maxBytes: 100), 15)
        XCTAssertThrowsError(try RegularFile.read(path, maxBytes: 14)) { e in
            XCTAssertEqual(e as? RegularFileError, .tooLarge(path: path, size: 15, limit: 14))
        }
    }

    func testDevicesFIFOsAndDirectoriesAreRefusedWithoutReading() throws {
        let fifo = folder + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let link = folder + "/zero-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/zero")
        let cases = [("/dev/zero", "character device"), ("/dev/urandom", "character device"), (link, "character device"),
                     (fifo, "FIFO"), (folder!, "directory")]
        for (path, kind) in cases {
            XCTAssertThrowsError(try RegularFile.read(path, maxBytes: 1 << 30)) { e in
                guard case .unreadable(path, let reason)? = e as? RegularFileError else { return XCTFail("\(path): \(e)") }
                XCTAssertTrue(reason.contains(kind), reason)
            }
        }
        XCTAssertEqual(try? RegularFile.read(folder + "/missing", maxBytes: 1), nil)
        XCTAssertThrowsError(try RegularFile.read(folder + "/missing", maxBytes: 1)) { e in
            XCTAssertEqual(e as? RegularFileError, .notFound(path: folder + "/missing"))
        }
    }
}
