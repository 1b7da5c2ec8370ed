import XCTest
import XAIMetrics
import XAICore
import XAIExperiment
import XAITestSupport
@testable import XAIPlanner

/// `xai gc` on output folders: files of results the experiment no longer has are listed (dry
/// run) and removed; everything the experiment still references, and its pages, stays.
final class OutputGCTests: TemporaryDirectoryTestCase {
    func load(windows: [Int], coffee: Bool = true) throws -> Experiment {
        func write(_ text: String, _ name: String) throws {
            let url = tmp.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        try write("fake model bytes", "m.onnx")
        try write("kitten pixels", "images/chelsea.png")
        if coffee { try write("coffee pixels!", "images/coffee.png") }
        try write("""
            schema: 1
            name: sweep
            model: {path: m.onnx, labels: [cat, dog, cup, car], preprocess: {resize: 4, crop: 4, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}}
            images: [images]
            methods:
              occlusion: {stride: 2}
            sweep:
              occlusion.window: [\(windows.map(String.init).joined(separator: ", "))]
            metrics: [deletion]
            """, "exp.yaml")
        return try ExperimentLoader.load(path: tmp.appendingPathComponent("exp.yaml").path, catalogue: .standard, baseDirectory: tmp.path,
                                         outputsRoot: "Outputs")
    }

    func testRemovedSweepPointsOutputsAreListedThenRemoved() throws {
        let run = try ExperimentRunner(experiment: try load(windows: [2, 4]), backend: FakeBackend()).run()
        XCTAssertTrue(run.report.succeeded)
        let folder = run.folder
        try "<html>".write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let outside = tmp.appendingPathComponent("Outputs/keep-me.txt")
        try "not ours".write(to: outside, atomically: true, encoding: .utf8)
        let unchanged = try ExperimentRunner(experiment: try load(windows: [2, 4]), backend: FakeBackend())
        XCTAssertEqual(try unchanged.staleOutputs(), [], "a fresh run leaves nothing stale")

        // The experiment loses window 4: its maps, arrays and overlays of both images are stale.
        let edited = try ExperimentRunner(experiment: try load(windows: [2]), backend: FakeBackend())
        let stale = try edited.removeStaleOutputs(dryRun: true)
        let expected = ["chelsea", "coffee"].flatMap { image in
            ["maps/\(image)/occlusion@window=4.grid.npy", "maps/\(image)/occlusion@window=4.npy",
             "overlays/\(image)/occlusion@window=4.png"]
        }.sorted()
        XCTAssertEqual(stale.map(\.path), expected)
        XCTAssertTrue(stale.allSatisfy { $0.bytes > 0 }, "\(stale)")
        for f in stale { XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(f.path).path), "dry run keeps \(f.path)") }

        let removed = try edited.removeStaleOutputs(dryRun: false)
        XCTAssertEqual(removed, stale)
        for f in stale { XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(f.path).path), f.path) }
        for kept in ["manifest.json", "index.html", "maps/chelsea/occlusion@window=2.npy", "overlays/coffee/occlusion@window=2.png",
                     "maps/coffee/occlusion@window=2.grid.npy"] + run.manifest.images.flatMap { $0.inputs.values } {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(kept).path), kept)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside.path))
        XCTAssertEqual(try edited.staleOutputs(), [])

        // A removed image takes its inputs and results with it (its folders too, once empty).
        try FileManager.default.removeItem(at: tmp.appendingPathComponent("images/coffee.png"))
        let fewer = try ExperimentRunner(experiment: try load(windows: [2], coffee: false), backend: FakeBackend())
        let gone = try fewer.removeStaleOutputs(dryRun: false).map(\.path)
        XCTAssertTrue(gone.contains("maps/coffee/occlusion@window=2.npy"), "\(gone)")
        XCTAssertTrue(gone.contains { $0.hasPrefix("inputs/coffee/") }, "\(gone)")
        XCTAssertFalse(gone.contains { $0.contains("chelsea") }, "\(gone)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("maps/coffee").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("maps").path))
    }

    func testSymbolicLinksAreNeverFollowed() throws {
        let run = try ExperimentRunner(experiment: try load(windows: [2]), backend: FakeBackend()).run()
        let elsewhere = tmp.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try "precious".write(to: elsewhere.appendingPathComponent("data.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: run.folder.appendingPathComponent("maps/link"), withDestinationURL: elsewhere)
        let runner = try ExperimentRunner(experiment: try load(windows: [2]), backend: FakeBackend())
        XCTAssertEqual(try runner.removeStaleOutputs(dryRun: false).map(\.path), ["maps/link"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("data.txt").path))
    }
}
