import Foundation
import XCTest
import XAICore
import XAIImaging
@testable import XAIMetrics

/// Issue 6's correctness checks against closed-form oracles on the region model, whose logit is
/// `weight x` the mean normalised value of a known 6 x 6 square (36 of 256 pixels): the perfect
/// map's curves and the chance level of a random map can be written down exactly.
final class RegionModelOracleTests: XCTestCase {
    typealias F = MetricFixtures

    /// Region pixels are 1 (normalised 2), so with weight 3 the full logit is 6; gray is 0 after
    /// normalisation, so each removed region pixel takes 6 / 36 off the logit.
    let weight: Float = 3
    let fullLogit = 6.0
    let regionPixels = 36.0
    let pixels = 256.0

    /// The perfect map's deletion curve in closed form: after k of `steps` steps, round(k / steps
    /// x 256) pixels are gray, the first 36 of them the region.
    func perfectDeletionCurve(steps: Int) -> [Double] {
        (0...steps).map { k in
            let removed = min((Double(k) / Double(steps) * pixels).rounded(), regionPixels)
            return F.sigmoid(fullLogit * (1 - removed / regionPixels))
        }
    }

    func testPerfectMapHasTheExactDeletionCurveAndTheBestAUC() throws {
        let model = try F.context(F.regionModel(weight: weight))
        let image = F.regionImage()
        let steps = 32
        let metric = try F.metric(Deletion.self, ["steps": .int(steps), "value": .string("gray")])
        let perfect = try metric.evaluate(F.input(image, map: F.perfectMap), model: model)
        let want = perfectDeletionCurve(steps: steps)
        let d = zip(perfect.y!, want).map { abs($0 - $1) }.max()!
        print("perfect deletion curve: max difference to the closed form \(d)")
        XCTAssertLessThan(d, 1e-5)
        XCTAssertEqual(perfect.value, CurveArea.trapezoid(x: perfect.x!, y: want), accuracy: 1e-5)

        // No other ranking removes the region sooner: shifted, blurred, partial and random maps
        // all have a larger area.
        var others: [String: Tensor] = [:]
        for shift in [1, 2, 3] {
            others["shifted by \(shift)"] = Tensor(shape: [16, 16], data: (0..<256).map { i in
                let (x, y) = (i % 16 - shift, i / 16)
                return x >= 0 && F.inRegion(y * 16 + x) ? 1 : 0
            })
        }
        others["blurred, off-centre"] = Tensor(shape: [16, 16], data: (0..<256).map { i in
            let (x, y) = (Double(i % 16) + 0.5, Double(i / 16) + 0.5)
            return Float(exp(-((x - 9) * (x - 9) + (y - 9) * (y - 9)) / 18))
        })
        others["half of the region"] = Tensor(shape: [16, 16], data: (0..<256).map { F.inRegion($0) && $0 / 16 < 8 ? 1 : 0 })
        for seed in 0..<4 as Range<UInt64> { others["random \(seed)"] = F.randomMap(seed: seed) }
        for (name, map) in others.sorted(by: { $0.key < $1.key }) {
            let v = try metric.evaluate(F.input(image, map: map), model: model).value
            print("deletion AUC: perfect \(perfect.value), \(name) \(v)")
            XCTAssertLessThan(perfect.value, v - 1e-3, name)
        }
    }

    /// A random ranking removes the region at the same rate as the image: after a fraction f the
    /// expected logit is 6 (1 - f), so the expected curve is about sigmoid(6 (1 - f)) and its area
    /// (softplus(6) - ln 2) / 6 = 0.885 (the chance level); insertion from gray mirrors it.
    func testRandomMapsScoreAtTheChanceLevel() throws {
        let model = try F.context(F.regionModel(weight: weight))
        let image = F.regionImage()
        let steps = 32
        let x = (0...steps).map { Double($0) / Double(steps) }
        let chanceDeletion = CurveArea.trapezoid(x: x, y: x.map { F.sigmoid(fullLogit * (1 - $0)) })
        let chanceInsertion = CurveArea.trapezoid(x: x, y: x.map { F.sigmoid(fullLogit * $0) })
        XCTAssertEqual(chanceDeletion, (log(1 + exp(fullLogit)) - log(2)) / fullLogit, accuracy: 2e-3)
        for (kind, chance) in [(Deletion.self, chanceDeletion), (Insertion.self, chanceInsertion)] as [(any Metric.Type, Double)] {
            let metric = try F.metric(kind, ["steps": .int(steps), "value": .string("gray")])
            let values = try (0..<16 as Range<UInt64>).map {
                try metric.evaluate(F.input(image, map: F.randomMap(seed: 100 + $0)), model: model).value
            }
            let mean = CurveArea.mean(values)
            print("\(kind.kind.rawValue): random maps mean AUC \(mean), chance \(chance), spread \(values.min()!)...\(values.max()!)")
            XCTAssertEqual(mean, chance, accuracy: 0.03)
        }
    }

    /// Chance levels of localisation for a uniform random map against the 36-pixel region:
    /// max_fraction at 15% keeps each pixel with probability 0.85, so IoU ~ 0.85 x 36 / (36 +
    /// 0.85 x 220); top_fraction with the region's share picks 36 pixels, 36 x 36 / 256 of them
    /// inside on average. The energy-based pointing game of a random map is the region's share
    /// and the hit / miss game hits with that probability.
    func testRandomMapLocalisationMatchesTheChanceLevels() throws {
        let model = try F.context(F.regionModel())
        let image = F.regionImage()
        let g = regionPixels, n = pixels
        let chanceMax = 0.85 * g / (g + 0.85 * (n - g))
        let inter = g * g / n
        let chanceTop = inter / (2 * g - inter)
        let maxRule = try F.metric(Localisation.self)
        let topRule = try F.metric(Localisation.self, ["rule": .string("top_fraction"), "threshold": .double(g / n)])
        var iouMax: [Double] = [], iouTop: [Double] = [], energy: [Double] = [], hits: [Double] = []
        for seed in 0..<64 as Range<UInt64> {
            let input = F.input(image, map: F.randomMap(seed: 1000 + seed), mask: (0..<256).map(F.inRegion))
            let a = try maxRule.evaluate(input, model: model)
            iouMax.append(a.value)
            energy.append(a.extra["energy_pointing_game"]!)
            hits.append(a.extra["pointing_game"]!)
            iouTop.append(try topRule.evaluate(input, model: model).value)
        }
        let m = (CurveArea.mean(iouMax), CurveArea.mean(iouTop), CurveArea.mean(energy), CurveArea.mean(hits))
        print("random maps: IoU max_fraction \(m.0) (chance \(chanceMax)), top_fraction \(m.1) (chance \(chanceTop)), energy \(m.2), hits \(m.3) (share \(g / n))")
        XCTAssertEqual(m.0, chanceMax, accuracy: 0.02)
        XCTAssertEqual(m.1, chanceTop, accuracy: 0.03)
        XCTAssertEqual(m.2, g / n, accuracy: 0.02)
        XCTAssertEqual(m.3, g / n, accuracy: 0.1)
        // The perfect map is far above every one of them.
        let perfect = try maxRule.evaluate(F.input(image, map: F.perfectMap, mask: (0..<256).map(F.inRegion)), model: model)
        XCTAssertEqual(perfect.value, 1, accuracy: 1e-12)
        XCTAssertGreaterThan(perfect.value, iouMax.max()! + 0.5)
    }

    /// ROAD end to end on a constant image: imputation gives the constant back, so without noise
    /// every MoRF and LeRF point is the original probability and the score is 0, whatever the map.
    func testROADOnAConstantImageLeavesTheScoreUnchanged() throws {
        let model = try F.context(F.regionModel(weight: weight))
        let image = RGBImage(width: 16, height: 16, color: (0.7, 0.7, 0.7))
        let metric = try F.metric(ROAD.self, ["noise": .double(0), "fractions": .list([.double(0.2), .double(0.5), .double(0.9)])])
        for map in [F.perfectMap, F.randomMap(seed: 3)] {
            let r = try metric.evaluate(F.input(image, map: map), model: model)
            let y0 = r.extra["original_probability"]!
            XCTAssertEqual(y0, F.sigmoid(Double(weight) * 0.8), accuracy: 1e-5)
            let d = (r.curves["morf"]! + r.curves["lerf"]!).map { abs($0 - y0) }.max()!
            print("ROAD on a constant image: max |p - original| \(d), score \(r.value)")
            XCTAssertLessThan(d, 1e-6)
            XCTAssertEqual(r.value, 0, accuracy: 1e-6)
        }
    }
}
