import XCTest
import XAICore
import XAIEngine
@testable import XAIMethods
import XAITestSupport

/// Occlusion runs the embedded model incrementally; its scores must be those of full forwards.
final class OcclusionIncrementalTests: XCTestCase {
    func testIncrementalScoresEqualFullForwards() throws {
        let model = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        // Window 48, stride 40 (plus the window flush with the far edge): 36 windows, corners included.
        for value in ["gray", "noise"] {
            let occ = try Occlusion(params: TestModels.params(Occlusion.descriptor, ["window": .int(48), "stride": .int(40),
                                                                                    "value": .string(value), "batch": .int(16)]))
            let incremental = try occ.explain(input, model: model)
            let full = try occ.explain(input, scorer: PerturbationBatch(context: model, batch: 16))
            let grid = (incremental.arrays["grid"]!, full.arrays["grid"]!)
            XCTAssertEqual(grid.0.shape, [6, 6])
            let d = grid.0.maxAbsDifference(grid.1)
            let dMap = incremental.map.maxAbsDifference(full.map)
            print("occlusion \(value), incremental vs full forwards: grid max diff \(d), map max diff \(dMap)")
            XCTAssertLessThan(d, 1e-4)
            XCTAssertLessThan(dMap, 1e-4)
            XCTAssertEqual(incremental.scalars["base_score"]!, full.scalars["base_score"]!, accuracy: 1e-5)
        }
    }
}
