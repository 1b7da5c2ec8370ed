import Foundation
import XCTest

/// Run history and diffs as a user meets them: two runs with different `--set`, listed, pinned
/// and compared.
final class RunsCLITests: CLITestCase {
    func testTwoRunsAreListedPinnedAndDiffed() throws {
        let dir = try scratchRoot()
        try """
            schema: 1
            name: cli-runs
            model: efficientnet-lite0
            images: [Experiments/images/chelsea.png]
            methods:
              saliency: {}
            metrics: [sparseness]
            """.write(to: dir.appendingPathComponent("exp.yaml"), atomically: true, encoding: .utf8)
        let first = try xai(["run", "exp.yaml"], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr + first.stdout)
        let second = try xai(["run", "exp.yaml", "--set", "saliency.reduce=l2"], in: dir)
        XCTAssertEqual(second.status, 0, second.stderr + second.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Outputs/.runs.sqlite").path))

        let listed = try xai(["runs", "cli-runs"], in: dir)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let lines = listed.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, "a header and two runs:\n\(listed.stdout)")
        XCTAssertTrue(lines[0].hasPrefix("id"), listed.stdout)
        XCTAssertTrue(lines[1].contains("saliency.reduce=l2"), "newest first:\n\(listed.stdout)")
        let ids = lines.dropFirst().map { String($0.prefix(while: { $0 != " " })) }

        // Pinned, the l2 run keeps its entries through a gc of the file (whose saliency is max_abs).
        let pinned = try xai(["runs", "pin", ids[0]], in: dir)
        XCTAssertEqual(pinned.status, 0, pinned.stderr)
        XCTAssertTrue(try xai(["runs"], in: dir).stdout.contains("yes"))
        let gcPinned = try xai(["gc", "--keep-last", "0", "exp.yaml"], in: dir)
        XCTAssertEqual(gcPinned.status, 0, gcPinned.stderr)
        XCTAssertTrue(gcPinned.stdout.contains("more for pinned"), gcPinned.stdout)

        let diff = try xai(["diff", ids[1], ids[0]], in: dir)
        XCTAssertEqual(diff.status, 0, diff.stderr + diff.stdout)
        let folder = dir.appendingPathComponent("Outputs/diffs/\(ids[1])..\(ids[0])")
        for file in ["diff.json", "diff.csv", "diff.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        func pairs() throws -> [[String: Any]] {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("diff.json"))) as? [String: Any])
            return try XCTUnwrap(json["pairs"] as? [[String: Any]])
        }
        XCTAssertEqual(try pairs().count, 1)
        let rho = try XCTUnwrap(try pairs()[0]["spearman"] as? Double)
        XCTAssertTrue(rho > 0.5 && rho < 1, "max |gradient| and its l2 norm over channels rank pixels alike, not equally: rho \(rho)")

        // Unpinned and beyond --keep-last, its map goes; the diff says so instead of failing.
        XCTAssertEqual(try xai(["runs", "unpin", ids[0]], in: dir).status, 0)
        XCTAssertEqual(try xai(["gc", "--keep-last", "0", "exp.yaml"], in: dir).status, 0)
        let after = try xai(["diff", "cli-runs"], in: dir)
        XCTAssertEqual(after.status, 0, after.stderr + after.stdout)
        XCTAssertNil(try pairs()[0]["spearman"])
        XCTAssertTrue((try pairs()[0]["note"] as? String)?.contains("xai runs pin") == true)

        let byName = try xai(["diff", "cli-runs", ids[1]], in: dir)
        XCTAssertEqual(byName.status, 0, byName.stderr)
        let unknown = try xai(["diff", "nope", ids[0]], in: dir)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no run matches 'nope'"), unknown.stderr)
        let empty = try scratchRoot()
        XCTAssertEqual(try xai(["runs"], in: empty).stdout, "no recorded runs\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: empty.appendingPathComponent("Outputs").path),
                       "listing creates no history")
    }
}
