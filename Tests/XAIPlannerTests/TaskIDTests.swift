import XCTest
@testable import XAIPlanner

final class TaskIDTests: XCTestCase {
    func testIdsOfOneAndOfSeveralModels() {
        let one = TaskID(image: "chelsea", model: "lite0", severalModels: false)
        XCTAssertEqual([one.decode, one.predict], ["chelsea/decode", "chelsea/predict"])
        let run = "occlusion@stride=8,window=16"
        XCTAssertEqual(one.explanation(run: run, rank: 1), "chelsea/occlusion@stride=8,window=16")
        XCTAssertEqual(one.explanation(run: run, rank: 2), "chelsea/occlusion@stride=8,window=16#2")
        let several = TaskID(image: "chelsea", model: "lite0", severalModels: true)
        XCTAssertEqual(several.explanation(run: "gradcam", rank: 1), "chelsea/lite0/gradcam")
        XCTAssertEqual(TaskID.overlay(of: "chelsea/gradcam"), "chelsea/gradcam/overlay")
        XCTAssertEqual(TaskID.metric("deletion", of: "chelsea/gradcam#2"), "chelsea/gradcam#2/deletion")
        XCTAssertEqual(TaskID.joint(model: "lite0", run: "dff", rank: 1, severalModels: false), "*/dff")
        XCTAssertEqual(TaskID.joint(model: "lite0", run: "dff", rank: 3, severalModels: true), "*/lite0/dff#3")
    }
}
