import XCTest
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// A symbolic link inside `Outputs/` is never followed: a run refuses it, naming the link, and
/// leaves what it points to untouched.
final class OutputSymlinkTests: TemporaryDirectoryTestCase {
    var outputs: URL { tmp.appendingPathComponent("Outputs") }
    /// Where the links point: a folder (with a file in it) and a file outside `Outputs/`.
    var elsewhere: URL { tmp.appendingPathComponent("elsewhere") }
    var precious: URL { elsewhere.appendingPathComponent("precious.txt") }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        try writeFile("keep me", "elsewhere/precious.txt")
    }

    /// Makes `relative` (below `Outputs/`, its folders created) a link to `target`.
    func link(_ relative: String, to target: URL) throws {
        let url = outputs.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: url, withDestinationURL: target)
    }

    /// Makes `relative` a link to `target`, then runs the fake experiment, expecting it to refuse
    /// the link.
    func assertRunRefusesLink(_ relative: String, to target: URL, file: StaticString = #filePath,
                              line: UInt = #line) throws {
        try link(relative, to: target)
        let runner = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: FakeBackend())
        XCTAssertThrowsError(try runner.run(), file: file, line: line) { error in
            let path = outputs.appendingPathComponent(relative).path
            XCTAssertEqual(error as? OutputError, .symbolicLink(path: path), "\(error)", file: file, line: line)
            XCTAssertTrue("\(error)".contains("is a symbolic link; xai writes only real folders under Outputs/"),
                          "\(error)", file: file, line: line)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path), ["precious.txt"],
                       "nothing was written through the link", file: file, line: line)
        XCTAssertEqual(try String(contentsOf: precious, encoding: .utf8), "keep me", file: file, line: line)
    }

    func testOutputFolderThatIsALinkIsRefused() throws {
        try assertRunRefusesLink("demo", to: elsewhere)
    }

    func testMapsFolderThatIsALinkIsRefused() throws {
        try assertRunRefusesLink("demo/maps", to: elsewhere)
    }

    func testImageFolderInsideMapsThatIsALinkIsRefused() throws {
        try assertRunRefusesLink("demo/maps/chelsea", to: elsewhere)
    }

    func testLockFileThatIsALinkIsRefusedAndItsTargetKept() throws {
        try assertRunRefusesLink("demo/.lock", to: precious)
    }

    /// A stale link among the outputs is removed as a link: its target is never listed or deleted.
    func testStaleLinkedFolderIsRemovedWithoutTouchingItsTarget() throws {
        let runner = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: FakeBackend())
        _ = try runner.run()
        try link("demo/maps/gone", to: elsewhere)
        _ = try runner.run()
        XCTAssertFalse(FileManager.default.fileExists(atPath: outputs.appendingPathComponent("demo/maps/gone").path))
        XCTAssertEqual(try String(contentsOf: precious, encoding: .utf8), "keep me")
    }
}
