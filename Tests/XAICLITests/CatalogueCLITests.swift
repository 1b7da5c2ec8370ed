import Foundation
import XCTest

/// `xai methods`, `xai metrics`, `--only` and `xai predict` as a new user meets them.
final class CatalogueCLITests: CLITestCase {
    func testMethodsListAcceptedValues() throws {
        let r = try xai(["methods", "occlusion"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("value = gray  [gray|black|white|mean|blur|noise|<number [0, 1]>]"), r.stdout)
        XCTAssertTrue(r.stdout.contains("colormap = jet  [") && r.stdout.contains("|viridis|"), r.stdout)
        XCTAssertTrue(r.stdout.contains("traits: perturbation, signed map, slow"), r.stdout)
        let cam = try xai(["methods", "gradcam"])
        XCTAssertTrue(cam.stdout.contains("traits: cam, unsigned map with the defaults (depends on parameters), reads the target layer"),
                      cam.stdout)
    }

    func testUnknownMethodOrMetricSuggestsTheClosest() throws {
        let m = try xai(["methods", "lmie"])
        XCTAssertNotEqual(m.status, 0)
        XCTAssertTrue(m.stderr.contains("unknown method 'lmie'; did you mean 'lime'?"), m.stderr)
        let k = try xai(["metrics", "delation"])
        XCTAssertNotEqual(k.status, 0)
        XCTAssertTrue(k.stderr.contains("unknown metric 'delation'; did you mean 'deletion'?"), k.stderr)
    }

    func testMetricsStateWhichWayIsBetter() throws {
        let r = try xai(["metrics"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("deletion: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("insertion: "), r.stdout)
        let d = try xai(["metrics", "deletion"])
        XCTAssertTrue(d.stdout.contains("better: lower"), d.stdout)
        XCTAssertFalse(d.stdout.contains("insertion:"), "only the named metric")
    }

    /// A typo in `--only` used to run nothing and exit 0 ("0 ran, 340 cached").
    func testOnlyThatSelectsNothingIsAnError() throws {
        let dir = try scratchRoot()
        for command in ["plan", "run"] {
            let r = try xai([command, "Experiments/quickstart.yaml", "--only", "gradcma"], in: dir)
            XCTAssertNotEqual(r.status, 0, command)
            XCTAssertTrue(r.stderr.contains("--only gradcma") && r.stderr.contains("did you mean 'gradcam'?"),
                          "\(command): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Outputs/quickstart/manifest.json").path))
    }

    /// One unreadable file among several: the others are still predicted, the bad one is listed
    /// at the end and the exit status says something failed.
    func testPredictGoesOnPastUnreadableFilesAndFailsAtTheEnd() throws {
        let dir = try scratchRoot()
        let bad = dir.appendingPathComponent("broken.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0]).write(to: bad)
        let r = try xai(["predict", bad.path, "Experiments/images/chelsea.png"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("Experiments/images/chelsea.png"), r.stdout)
        XCTAssertTrue(r.stderr.contains("1 of 2 image(s) could not be read") && r.stderr.contains("broken.png"), r.stderr)
    }
}
