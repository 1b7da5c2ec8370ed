import Foundation
import XCTest

/// End-to-end runs of small experiments with the embedded model.
final class RunCLITests: CLITestCase {
    private func write(_ yaml: String, to dir: URL, name: String = "exp.yaml") throws -> String {
        try yaml.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return name
    }

    func testRunWritesManifestGalleryAndMapsThenRerunComputesNothing() throws {
        let dir = try scratchRoot()
        let file = try write("""
            schema: 1
            name: cli-e2e
            model: efficientnet-lite0
            images: [Experiments/images/chelsea.png]
            methods:
              gradcam: {}
              saliency: {}
            sweep:
              saliency.reduce: [max_abs, l2]
            """, to: dir)
        let first = try xai(["run", file], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr + first.stdout)
        let out = dir.appendingPathComponent("Outputs/cli-e2e")
        let manifest = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any])
        let results = try XCTUnwrap(manifest["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 3, "gradcam + two saliency sweep points")
        for r in results {
            let map = try XCTUnwrap(r["map"] as? String)
            let npy = try Data(contentsOf: out.appendingPathComponent(map))
            XCTAssertEqual(Array(npy.prefix(6)), [0x93] + Array("NUMPY".utf8))
            XCTAssertTrue(String(decoding: npy.prefix(128), as: UTF8.self).contains("(224, 224)"))
            let target = try XCTUnwrap(r["target"] as? [String: Any])
            XCTAssertEqual(target["index"] as? Int, 282)
        }
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("gradcam"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"))

        let computed = try Data(contentsOf: out.appendingPathComponent("manifest.json"))
        let second = try xai(["run", file], in: dir)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("manifest.json")), computed,
                       "a manifest of results found in the cache is the computed one, byte for byte")
    }

    /// After a sweep value is dropped, `gc --dry-run` lists its map and `gc` removes it, and an
    /// intermediate result no kept run used goes too.
    func testGCRemovesTheOutputsOfADroppedSweepPoint() throws {
        let dir = try scratchRoot()
        func experiment(_ reduce: String) -> String {
            """
            schema: 1
            name: cli-gc
            model: efficientnet-lite0
            images: [Experiments/images/chelsea.png]
            methods:
              saliency: {}
            sweep:
              saliency.reduce: \(reduce)
            """
        }
        let file = try write(experiment("[max_abs, l2]"), to: dir)
        XCTAssertEqual(try xai(["run", file], in: dir).status, 0)
        let stale = dir.appendingPathComponent("Outputs/cli-gc/maps/chelsea/saliency@reduce=l2.npy")
        XCTAssertTrue(FileManager.default.fileExists(atPath: stale.path))
        let intermediates = dir.appendingPathComponent("Outputs/.cache/intermediate")
        try FileManager.default.createDirectory(at: intermediates, withIntermediateDirectories: true)
        let unused = intermediates.appendingPathComponent(String(repeating: "0f", count: 32) + ".npy")
        try Data(repeating: 0, count: 100).write(to: unused)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)],
                                              ofItemAtPath: unused.path)

        _ = try write(experiment("[max_abs]"), to: dir)
        let dry = try xai(["gc", "--dry-run", file], in: dir)
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("saliency@reduce=l2.npy"), dry.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: stale.path), "a dry run removes nothing")
        // Without the run history's protection the dropped point's entries go, listed by the
        // experiment and task that used them.
        let entries = try xai(["gc", "--dry-run", "--keep-last", "0", file], in: dir)
        XCTAssertEqual(entries.status, 0, entries.stderr)
        let lines = entries.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("would remove ") && $0.contains(" of experiment cli-gc (last used by run ") },
                      entries.stdout)
        XCTAssertTrue(lines.contains { $0.hasPrefix("  ") && $0.contains("saliency@reduce=l2") }, entries.stdout)
        XCTAssertFalse(lines.contains { $0.contains("saliency@reduce=max_abs") }, "kept entries are not listed")
        XCTAssertTrue(entries.stdout.contains("would remove 1 intermediate results (100 B)"), entries.stdout)
        let real = try xai(["gc", file], in: dir)
        XCTAssertEqual(real.status, 0, real.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: unused.path), real.stdout)
        XCTAssertTrue(FileManager.default.fileExists(
            atPath: dir.appendingPathComponent("Outputs/cli-gc/maps/chelsea/saliency@reduce=max_abs.npy").path))
    }

    func testInvalidExperimentExitsTwoWithFileLineColumn() throws {
        let dir = try scratchRoot()
        let file = try write("""
            schema: 1
            name: bad
            images: [Experiments/images/chelsea.png]
            methods:
              gradcam: {}
              occlusion: {windw: 16}
            """, to: dir)
        let r = try xai(["run", file], in: dir)
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("exp.yaml:6:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("window"), "did-you-mean: \(r.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Outputs/bad").path),
                       "nothing is written for an invalid file")
    }

    func testUnknownTargetLayerIsReportedAtItsLine() throws {
        let dir = try scratchRoot()
        let file = try write("""
            schema: 1
            name: badlayer
            images: [Experiments/images/chelsea.png]
            target_layer: haed
            methods:
              gradcam: {}
            """, to: dir)
        let r = try xai(["plan", file], in: dir)
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("exp.yaml:4:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("head"), "near match suggested: \(r.stderr)")
    }

    func testPlanShowsWhatWillRunAsJSON() throws {
        let dir = try scratchRoot()
        let file = try write("""
            schema: 1
            name: plan-only
            images: [Experiments/images/chelsea.png, Experiments/images/coffee.png]
            methods:
              occlusion: {stride: 16}
            sweep:
              occlusion.window: [16, 32]
            """, to: dir)
        let r = try xai(["plan", file, "--format", "json"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("chelsea/occlusion@window=16"), r.stdout)
        XCTAssertTrue(r.stdout.contains("coffee/occlusion@window=32"), r.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Outputs/plan-only/manifest.json").path))
    }
}
