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

/// Issue 14, items 1 and 7: names that become file names, and path arithmetic without NSString.
final class PathTests: XCTestCase {
    func testPathComponentRefusesEverythingThatIsNotOnePlainName() {
        let bad: [(String, PathComponentError.Problem)] = [
            ("", .empty), (".", .dotName), ("..", .dotName), ("../x", .forbiddenCharacter("/", offset: 2)),
            ("a\u{0}b", .forbiddenCharacter("\u{0}", offset: 1)), ("a\nb", .forbiddenCharacter("\n", offset: 1)),
            ("-rf", .badFirstCharacter("-")), (".hidden", .badFirstCharacter(".")), ("caf\u{E9}", .forbiddenCharacter("\u{E9}", offset: 3)),
            (String(repeating: "a", count: 101), .tooLong(bytes: 101)),
        ]
        for (name, problem) in bad {
            XCTAssertThrowsError(try PathComponent(name)) { e in XCTAssertEqual((e as? PathComponentError)?.problem, problem, name) }
        }
        for good in ["a", "gradcam", "v1.2_x+y", "_..", String(repeating: "a", count: 100)] {
            XCTAssertEqual(try PathComponent(good).string, good)
        }
        XCTAssertTrue("\(PathComponentError(name: "x/y", problem: .forbiddenCharacter("/", offset: 1)))".contains("1 to 100 bytes"))
        XCTAssertEqual(PathComponent.sanitized("../a b\u{1B}").string, "_.._a_b_")
        XCTAssertEqual(PathComponent.sanitized(String(repeating: "z", count: 300), reserve: 8).string.utf8.count, 92)
    }

    func testPathArithmeticOnShortAndOddPaths() {
        XCTAssertNil(PathUtil.parent("q"))
        XCTAssertNil(PathUtil.parent(""))
        XCTAssertEqual(PathUtil.parent("/q"), "/")
        XCTAssertEqual(PathUtil.parent("a/b/c.yaml"), "a/b")
        XCTAssertEqual(PathUtil.parent("a/b/"), "a")
        XCTAssertEqual(PathUtil.lastComponent("a"), "a")
        XCTAssertEqual(PathUtil.lastComponent("a/b.png"), "b.png")
        XCTAssertEqual(PathUtil.stem("a/b.tar.gz"), "b.tar")
        XCTAssertEqual(PathUtil.stem(".hidden"), ".hidden")
        XCTAssertEqual(PathUtil.pathExtension("x/IMG.JPG"), "JPG")
        XCTAssertEqual(PathUtil.deletingExtension("m/model.onnx"), "m/model")
        XCTAssertEqual(PathUtil.join(nil, "q"), "q")
        XCTAssertEqual(PathUtil.join("a/b", "../c"), "a/c")
        XCTAssertEqual(PathUtil.join("a", "/abs"), "/abs")
    }
}
