import XCTest
import XAIManifest
import XAITestSupport
@testable import XAIPlanner

/// What a run says when the machine or a model fails (issue 14, item 11): plain words naming the
/// file, the model and the image, never Foundation's error domains or an encoder's error.
final class RunMessagesTests: TemporaryDirectoryTestCase {
    func testModelGivingNaNIsNamedWithItsImageAndTheRestGoesOn() throws {
        let backend = FakeBackend()
        backend.nanPredictions = ["coffee"]
        let result = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: backend)
            .run(RunOptions(executor: ExecutorOptions(keepGoing: true)))
        XCTAssertFalse(result.report.succeeded)
        XCTAssertEqual(result.report.failures.map(\.id), ["coffee/predict"])
        let message = try XCTUnwrap(result.report.failures.first?.message)
        XCTAssertEqual(message, "coffee/predict: NaN or infinite values in the probabilities for image coffee under "
                       + "model m; nothing is kept for this task (with --keep-going the other tasks still run)")
        XCTAssertEqual(Set(result.manifest.results.map(\.image)), ["chelsea"], "chelsea's results are all there")
        XCTAssertEqual(result.manifest.results.count, 2)
        XCTAssertEqual(result.manifest.predictions.map(\.image), ["chelsea"])
        XCTAssertNil(result.report.outcomes["coffee/predict"]?.entry, "nothing cached for the broken prediction")
        XCTAssertEqual(try Manifest.read(from: result.folder), result.manifest, "the manifest is written")
    }

    func testExplanationWithNaNNamesModelImageAndMethod() throws {
        let backend = FakeBackend()
        backend.failOn = ["occlusion"]
        let result = try ExperimentRunner(experiment: try loadFakeExperiment(), backend: backend)
            .run(RunOptions(executor: ExecutorOptions(keepGoing: true)))
        let message = try XCTUnwrap(result.report.failures.first { $0.id == "chelsea/occlusion" }?.message)
        XCTAssertTrue(message.hasPrefix("chelsea/occlusion: NaN or infinite values in the attribution map of occlusion ("),
                      message)
        XCTAssertTrue(message.contains("window=16) for image chelsea under model m;"), message)
    }

    /// A full disk, from a real write to /dev/full, in plain words.
    func testDiskFullIsSaidInPlainWords() throws {
        XCTAssertThrowsError(try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "/dev/full"))) { error in
            XCTAssertEqual(OutputError.describe(error), "No space left on device", "\(error)")
            let e = OutputError.io(path: "/dev/full", operation: "write", error: error)
            XCTAssertEqual("\(e)", "/dev/full: cannot write: No space left on device")
        }
        XCTAssertEqual(OutputError.describe(CocoaError(.fileWriteOutOfSpace)), "No space left on device")
        XCTAssertEqual(OutputError.describe(CocoaError(.fileReadUnknown)),
                       "it cannot be read (not a regular file, or too large)")
    }
}
