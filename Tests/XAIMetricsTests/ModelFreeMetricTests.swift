import XCTest
import XAICore
import XAIImaging
import XAIMethods
@testable import XAIMetrics

final class ModelFreeMetricTests: XCTestCase {
    typealias F = MetricFixtures

    func testGiniIndex() throws {
        var oneHot = [Float](repeating: 0, count: 64)
        oneHot[17] = -3
        XCTAssertEqual(Sparseness.gini(oneHot), 1 - 1.0 / 64, accuracy: 1e-12)
        XCTAssertEqual(Sparseness.gini([Float](repeating: 0.7, count: 50)), 0, accuracy: 1e-12)
        XCTAssertEqual(Sparseness.gini([Float](repeating: 0, count: 5)), 0)
        XCTAssertEqual(Sparseness.gini([0, 1, 0, -1]), 0.5, accuracy: 1e-12)
        let model = try F.context(F.regionModel())
        let r = try F.metric(Sparseness.self).evaluate(F.input(F.regionImage(), map: F.perfectMap), model: model)
        // 36 equal values among 256: G = 1 - 36/256.
        XCTAssertEqual(r.value, 1 - 36.0 / 256, accuracy: 1e-12)
    }

    func testMultiMapsAreReducedByThePerPixelMaximum() throws {
        let a = Tensor(shape: [2, 2, 2], data: [1, 0, 0, 0, 0, 0, 2, 0])
        let m = try AttributionMap(a, width: 2, height: 2, metric: Sparseness.kind)
        XCTAssertEqual(m.values, [1, 0, 2, 0])
        XCTAssertThrowsError(try AttributionMap(Tensor(zeros: [3, 3]), width: 2, height: 2, metric: Deletion.kind)) {
            XCTAssertTrue("\($0)".contains("[2, 2]"), "\($0)")
        }
    }

    func testGapsComeFromTheMethodsScalars() throws {
        let model = try F.context(F.regionModel())
        let ig = F.input(F.regionImage(), map: F.perfectMap, method: IntegratedGradients.kind, scalars: ["completeness_gap": 0.125])
        XCTAssertEqual(try F.metric(IGCompleteness.self).evaluate(ig, model: model).value, 0.125)
        let shap = F.input(F.regionImage(), map: F.perfectMap, method: KernelSHAP.kind, scalars: ["efficiency_gap": 1e-7])
        XCTAssertEqual(try F.metric(SHAPEfficiency.self).evaluate(shap, model: model).value, 1e-7)
        XCTAssertThrowsError(try F.metric(IGCompleteness.self).evaluate(shap, model: model)) {
            guard case .notApplicable = $0 as? MetricError else { return XCTFail("\($0)") }
        }
        let noScalar = F.input(F.regionImage(), map: F.perfectMap, method: KernelSHAP.kind)
        XCTAssertThrowsError(try F.metric(SHAPEfficiency.self).evaluate(noScalar, model: model)) {
            XCTAssertTrue("\($0)".contains("efficiency_gap"), "\($0)")
        }
    }

    func testEveryMetricIsMadeWithDefaultsAndParametersAreChecked() throws {
        for d in MetricCatalogue.descriptors {
            let m = try MetricCatalogue.make(d.kind)
            XCTAssertEqual(type(of: m).kind, d.kind)
        }
        XCTAssertThrowsError(try MetricCatalogue.make(MetricKind("nope"))) {
            XCTAssertTrue("\($0)".contains("unknown metric 'nope'"), "\($0)")
        }
        XCTAssertThrowsError(try F.metric(Deletion.self, ["step": .int(3)])) {
            XCTAssertTrue("\($0)".contains("did you mean 'steps'"), "\($0)")
        }
        XCTAssertThrowsError(try F.metric(Insertion.self, ["value": .string("mean")])) {
            guard case .invalidParameter(_, "value", _) = $0 as? MetricError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try F.metric(ROAD.self, ["fractions": .list([.double(1.5)])]))
        XCTAssertThrowsError(try F.metric(Sparseness.self, ["x": .int(1)]))
    }

    func testEveryMetricIsDeterministicForASeed() throws {
        let model = try F.context(F.regionModel(weight: 2))
        let image = F.regionImage(regionValue: 0.8)
        for d in MetricCatalogue.descriptors {
            let method = d.onlyFor?.first ?? Saliency.kind
            let input = F.input(image, map: F.randomMap(seed: 6), method: method,
                                scalars: ["completeness_gap": 0.5, "efficiency_gap": 0.25], boxes: [F.regionBox])
            let metric = try MetricCatalogue.make(d.kind)
            let kind = d.kind
            let a = try metric.evaluate(input, model: model), b = try metric.evaluate(input, model: model)
            XCTAssertEqual(a, b, kind.rawValue)
            XCTAssertTrue(a.value.isFinite, kind.rawValue)
        }
    }

    func testTargetOutOfRangeIsAnError() throws {
        let model = try F.context(F.regionModel())
        XCTAssertThrowsError(try F.metric(Deletion.self).evaluate(F.input(F.regionImage(), map: F.perfectMap, target: 5), model: model)) {
            XCTAssertTrue("\($0)".contains("out of range"), "\($0)")
        }
    }
}
