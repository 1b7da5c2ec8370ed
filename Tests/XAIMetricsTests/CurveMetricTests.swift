import XCTest
import XAICore
import XAIImaging
@testable import XAIMetrics

final class CurveMetricTests: XCTestCase {
    typealias F = MetricFixtures

    func testPerfectMapHasTheBestDeletionAndInsertion() throws {
        let model = try F.context(F.regionModel(weight: 3))
        let image = F.regionImage()
        for kind in [Deletion.self, Insertion.self] as [any Metric.Type] {
            // Gray insertion starts at P = 0.5 (the blurred region would still be bright).
            let metric = try F.metric(kind, ["steps": .int(32), "batch": .int(7), "value": .string("gray")])
            let perfect = try metric.evaluate(F.input(image, map: F.perfectMap), model: model)
            let randoms = try (0..<5 as Range<UInt64>).map { try metric.evaluate(F.input(image, map: F.randomMap(seed: $0)), model: model).value }
            let inverted = try metric.evaluate(F.input(image, map: Tensor(shape: [16, 16], data: F.perfectMap.data.map { 1 - $0 })), model: model)
            print("\(kind.kind.rawValue): perfect \(perfect.value), random \(randoms), inverted \(inverted.value)")
            XCTAssertEqual(perfect.x?.count, 33)
            XCTAssertEqual(perfect.y?.count, 33)
            XCTAssertEqual(perfect.x?.first, 0)
            XCTAssertEqual(perfect.x?.last, 1)
            let y0 = F.sigmoid(6)
            if kind == Deletion.self {
                XCTAssertEqual(perfect.y![0], y0, accuracy: 1e-5)
                // Gray is 0 after normalisation: once the region is gone the logit is 0.
                XCTAssertEqual(perfect.y![32], 0.5, accuracy: 1e-5)
                XCTAssertEqual(perfect.y![5], 0.5, accuracy: 1e-5) // 5/32 of 256 = 40 pixels >= the region's 36
                for r in randoms { XCTAssertLessThan(perfect.value, r - 0.1) }
                XCTAssertLessThan(randoms.max()!, inverted.value + 1e-9)
            } else {
                XCTAssertEqual(perfect.y![0], 0.5, accuracy: 1e-5)
                XCTAssertEqual(perfect.y![32], y0, accuracy: 1e-5)
                XCTAssertEqual(perfect.y![5], y0, accuracy: 1e-5)
                for r in randoms { XCTAssertGreaterThan(perfect.value, r + 0.05) }
                XCTAssertGreaterThan(randoms.min()!, inverted.value - 1e-9)
            }
        }
    }

    func testInsertionFromBlurKeepsTheOrder() throws {
        let model = try F.context(F.regionModel(weight: 3))
        let image = F.regionImage(regionValue: 0.9)
        let metric = try F.metric(Insertion.self, ["steps": .int(16)])
        let perfect = try metric.evaluate(F.input(image, map: F.perfectMap), model: model).value
        let random = try metric.evaluate(F.input(image, map: F.randomMap(seed: 2)), model: model).value
        let inverted = try metric.evaluate(F.input(image, map: Tensor(shape: [16, 16], data: F.perfectMap.data.map { 1 - $0 })), model: model).value
        print("insertion from blur: perfect \(perfect), random \(random), inverted \(inverted)")
        XCTAssertGreaterThan(perfect, random)
        XCTAssertGreaterThan(random, inverted)
    }

    func testCurveAreaIsTheTrapezoidMean() {
        XCTAssertEqual(CurveArea.trapezoid(x: [0, 0.5, 1], y: [1, 0, 1]), 0.5, accuracy: 1e-12)
        XCTAssertEqual(CurveArea.trapezoid(x: [0, 1], y: [0.2, 0.4]), 0.3, accuracy: 1e-12)
    }

    func testBatchSizeDoesNotChangeTheCurve() throws {
        let model = try F.context(F.regionModel(weight: 3))
        let input = F.input(F.regionImage(), map: F.randomMap(seed: 9))
        let a = try F.metric(Deletion.self, ["steps": .int(10), "batch": .int(1)]).evaluate(input, model: model)
        let b = try F.metric(Deletion.self, ["steps": .int(10), "batch": .int(64)]).evaluate(input, model: model)
        let d = zip(a.y!, b.y!).map { abs($0 - $1) }.max()!
        print("deletion batch 1 vs 64: max difference \(d)")
        XCTAssertLessThan(d, 1e-6)
    }
}
