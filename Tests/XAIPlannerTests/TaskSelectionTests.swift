import XCTest
@testable import XAIPlanner

final class TaskSelectionTests: XCTestCase {
    private func graph() throws -> TaskGraph {
        var g = TaskGraph()
        try g.add(id: "decode/cat", kind: .decode, labels: ["image": "cat"])
        try g.add(id: "explain/cat/gradcam", kind: .explain, params: ["m": "gradcam"], dependencies: ["decode/cat"],
                  labels: ["image": "cat", "model": "lite0", "method": "gradcam", "instance": "cam"])
        try g.add(id: "explain/cat/lime", kind: .explain, params: ["m": "lime"], dependencies: ["decode/cat"],
                  labels: ["image": "cat", "model": "lite0", "method": "lime", "instance": "lime"])
        return g
    }

    func testSelectsByEveryLabel() throws {
        let g = try graph()
        let byMethod = try TaskSelection(["gradcam"], in: g)
        XCTAssertEqual(g.tasks.values.filter(byMethod.contains).map(\.id), ["explain/cat/gradcam"])
        let byImage = try TaskSelection(["cat"], in: g)
        XCTAssertEqual(g.tasks.values.filter(byImage.contains).count, 3)
        XCTAssertNil(try TaskSelection.filter([], in: g), "no names: everything runs")
    }

    func testANameThatSelectsNothingIsAnErrorWithASuggestion() throws {
        let g = try graph()
        XCTAssertThrowsError(try TaskSelection(["lime", "gradcma"], in: g)) { error in
            XCTAssertEqual(error as? PlannerError, .unmatchedSelection(name: "gradcma", suggestion: "gradcam"))
            let text = "\(error)"
            XCTAssertTrue(text.contains("--only gradcma"), text)
            XCTAssertTrue(text.contains("did you mean 'gradcam'?"), text)
        }
        XCTAssertThrowsError(try TaskSelection(["zzzzzzzz"], in: g)) { error in
            XCTAssertEqual(error as? PlannerError, .unmatchedSelection(name: "zzzzzzzz", suggestion: nil))
        }
    }
}
