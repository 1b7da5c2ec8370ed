import Foundation
import XCTest
@testable import XAITestSupport

/// Issue 18, item 3: a bare model with another output count than 1000 keeps class numbers and
/// says so once; its non-square input (24x40) is fed the whole picture, letterboxed.
final class NumberedClassesCLITests: CLITestCase {
    func testPredictShowsNumbersAndSaysSoOnce() throws {
        let dir = try scratchRoot()
        let b = ONNXModelBuilder.tinyClassifier(height: 24, width: 40)
        try b.serialized().write(to: dir.appendingPathComponent("wide.onnx"))
        let r = try xai(["predict", "--model", "wide.onnx", "--top", "10", "--json",
                         "Experiments/images/coffee.png", "Experiments/images/chelsea.png"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "note: model 'wide' has no labels and 10 outputs (not 1000): classes are shown as numbers; "
                       + "give `labels:` (a file, one name per line) in a model card or the experiment\n")
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, 2)
        for row in rows {
            let top = try XCTUnwrap(row["top"] as? [[String: Any]])
            XCTAssertEqual(top.count, 10)
            for entry in top {
                XCTAssertEqual(entry["label"] as? String, "class \(try XCTUnwrap(entry["index"] as? Int))")
            }
        }
    }
}
