import XCTest
import XAICore
@testable import XAIDiff

/// Exact oracles for the map comparisons of `xai diff` (Spearman's rho from XAICore, top-k% IoU).
final class MapComparisonTests: XCTestCase {
    func testAverageRanksShareTiedPositions() {
        XCTAssertEqual(RankCorrelation.ranks([10, 20, 20, 30]), [1, 2.5, 2.5, 4])
        XCTAssertEqual(RankCorrelation.ranks([3, 1, 3, 3, 0]), [4, 2, 4, 4, 1])
        XCTAssertEqual(RankCorrelation.ranks([]), [])
    }

    /// Worked by hand: ranks of a = [1, 2, 2, 3, 5] are [1, 2.5, 2.5, 4, 5], of b = [2, 1, 4, 3, 5]
    /// are [2, 1, 4, 3, 5]; both means are 3, deviations [-2, -.5, -.5, 1, 2] and [-1, -2, 1, 0, 2],
    /// so rho = 6.5 / sqrt(9.5 * 10) (scipy.stats.spearmanr gives 0.6668859288553503).
    func testSpearmanWithTiesMatchesTheHandComputedValue() throws {
        let rho = try XCTUnwrap(RankCorrelation.spearmanIfDefined([1, 2, 2, 3, 5], [2, 1, 4, 3, 5]))
        let expected = 6.5 / (9.5 * 10.0).squareRoot()
        XCTAssertEqual(rho, expected, accuracy: 1e-15, "difference \(abs(rho - expected))")
        XCTAssertEqual(rho, 0.6668859288553503, accuracy: 1e-12)
    }

    func testSpearmanOfMonotoneAndReversedMapsAndItsUndefinedCases() {
        let a: [Float] = [0.1, 5, -2, 3, 8]
        XCTAssertEqual(RankCorrelation.spearmanIfDefined(a, a.map { $0 * $0 * $0 + 7 }), 1)
        XCTAssertEqual(RankCorrelation.spearmanIfDefined(a, a.map { -$0 }), -1)
        XCTAssertNil(RankCorrelation.spearmanIfDefined(a, [2, 2, 2, 2, 2]), "a constant map has no ranking")
        XCTAssertNil(RankCorrelation.spearmanIfDefined([1], [1]))
    }

    func testTopRegionTakesTheLargestValuesAndAllTiesAtTheThreshold() {
        XCTAssertEqual(TopRegion.mask([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], fraction: 0.3),
                       [true, true, true, false, false, false, false, false, false, false])
        // m = round(0.25 * 4) = 1; the largest value, 1, is shared by three entries.
        XCTAssertEqual(TopRegion.mask([1, 1, 0, 1], fraction: 0.25), [true, true, false, true])
        // m is at least one.
        XCTAssertEqual(TopRegion.mask([1, 2, 3], fraction: 0.01), [false, false, true])
        XCTAssertEqual(TopRegion.mask([4, 2], fraction: 1), [true, true])
    }

    /// Regions {0, 1, 2} and {1, 2, 3}: intersection 2, union 4.
    func testIoUOfOverlappingRegions() {
        let a: [Float] = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
        let b: [Float] = [5, 9, 8, 7, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(TopRegion.iou(a, b, fraction: 0.3), 0.5)
        XCTAssertEqual(TopRegion.iou(a, a, fraction: 0.3), 1)
        XCTAssertEqual(TopRegion.iou(a, a.map { -$0 }, fraction: 0.3), 0)
    }

    /// B / max|B| - A / max|A|: scale-free, and a zero map stays zero.
    func testDifferenceMapIsTheChangeOfTheNormalisedMaps() {
        let a = PlaneMap(values: [2, -4, 0, 1], height: 2, width: 2)
        let b = PlaneMap(values: [10, 0, 0, -10], height: 2, width: 2)
        XCTAssertEqual(DiffPictures.difference(a, b), [1 - 0.5, 0 + 1, 0, -1 - 0.25])
        let zero = PlaneMap(values: [0, 0, 0, 0], height: 2, width: 2)
        XCTAssertEqual(DiffPictures.difference(zero, zero), [0, 0, 0, 0])
    }
}
