import XCTest
import XAICore
import XAIImaging
@testable import XAIMetrics

final class LocalisationTests: XCTestCase {
    typealias F = MetricFixtures

    func testPerfectMapHasIoUOneAndWinsBothPointingGames() throws {
        let model = try F.context(F.regionModel())
        let metric = try F.metric(Localisation.self)
        let r = try metric.evaluate(F.input(F.regionImage(), map: F.perfectMap, boxes: [F.regionBox]), model: model)
        XCTAssertEqual(r.value, 1, accuracy: 1e-12)
        XCTAssertEqual(r.extra["energy_pointing_game"]!, 1, accuracy: 1e-12)
        XCTAssertEqual(r.extra["pointing_game"], 1)
        XCTAssertEqual(r.extra["ground_truth_fraction"]!, 36.0 / 256, accuracy: 1e-12)
    }

    /// RISE-like maps sit on a constant offset; it carries no location and must not change
    /// the scores.
    func testConstantOffsetDoesNotChangeTheScores() throws {
        let model = try F.context(F.regionModel())
        let metric = try F.metric(Localisation.self)
        let image = F.regionImage()
        let plain = try metric.evaluate(F.input(image, map: F.perfectMap, boxes: [F.regionBox]), model: model)
        let lifted = F.perfectMap.data.map { 0.7 + 0.2 * $0 }
        let offset = try metric.evaluate(F.input(image, map: Tensor(shape: F.perfectMap.shape, data: lifted), boxes: [F.regionBox]),
                                         model: model)
        print("offset map: IoU \(offset.value) vs \(plain.value), energy \(offset.extra["energy_pointing_game"]!)")
        XCTAssertEqual(offset.value, plain.value, accuracy: 1e-12)
        XCTAssertEqual(offset.extra["energy_pointing_game"]!, plain.extra["energy_pointing_game"]!, accuracy: 1e-6)
    }

    func testRandomMapScoresNearChance() throws {
        let model = try F.context(F.regionModel())
        var ious: [Double] = [], energies: [Double] = []
        for seed in 0..<10 as Range<UInt64> {
            for rule in ["max_fraction", "top_fraction"] {
                let metric = try F.metric(Localisation.self, ["rule": .string(rule), "threshold": .double(rule == "top_fraction" ? 36.0 / 256 : 0.15)])
                let r = try metric.evaluate(F.input(F.regionImage(), map: F.randomMap(seed: seed), boxes: [F.regionBox]), model: model)
                ious.append(r.value)
                energies.append(r.extra["energy_pointing_game"]!)
            }
        }
        let meanIoU = ious.reduce(0, +) / Double(ious.count), meanEnergy = energies.reduce(0, +) / Double(energies.count)
        print("random map: mean IoU \(meanIoU), mean energy \(meanEnergy) (region share \(36.0 / 256))")
        XCTAssertLessThan(meanIoU, 0.25)
        XCTAssertEqual(meanEnergy, 36.0 / 256, accuracy: 0.05)
    }

    func testTopFractionRuleAndMaskInput() throws {
        let model = try F.context(F.regionModel())
        // A graded map peaking in the region: the top 36 pixels are exactly the region.
        let map = Tensor(shape: [16, 16], data: (0..<256).map { F.inRegion($0) ? 2 + Float($0 % 3) : Float($0 % 5) * 0.1 })
        let mask = (0..<256).map(F.inRegion)
        let metric = try F.metric(Localisation.self, ["rule": .string("top_fraction"), "threshold": .double(36.0 / 256)])
        let r = try metric.evaluate(F.input(F.regionImage(), map: map, mask: mask), model: model)
        XCTAssertEqual(r.value, 1, accuracy: 1e-12)
        // max_fraction at 15% of the max (4): every pixel >= 0.6 is selected, which the background's 0.0...0.4 are not.
        let r2 = try F.metric(Localisation.self).evaluate(F.input(F.regionImage(), map: map, mask: mask), model: model)
        XCTAssertEqual(r2.value, 1, accuracy: 1e-12)
        // Half the box: IoU 0.5.
        let half = [F.regionBox[0], F.regionBox[1], F.regionBox[2], F.regionBox[1] + 3]
        let r3 = try F.metric(Localisation.self).evaluate(F.input(F.regionImage(), map: map, boxes: [half]), model: model)
        XCTAssertEqual(r3.value, 0.5, accuracy: 1e-12)
    }

    /// A binary map whose plateau is the region plus the top row: the top-left pixel of the
    /// plateau lies outside, but the pointing game draws the tied maximum at random, so over many
    /// seeds it hits with the plateau's share inside (36 of 52 pixels).
    func testPointingGameDrawsTiedMaximaAtRandom() throws {
        let model = try F.context(F.regionModel())
        let plateau = Tensor(shape: [16, 16], data: (0..<256).map { F.inRegion($0) || $0 < 16 ? 1 : 0 })
        let metric = try F.metric(Localisation.self)
        var hits = 0.0
        let seeds = 0..<400 as Range<UInt64>
        for seed in seeds {
            let r = try metric.evaluate(F.input(F.regionImage(), map: plateau, seed: seed, boxes: [F.regionBox]), model: model)
            hits += r.extra["pointing_game"]!
            let map = AttributionMap(values: plateau.data, width: 16, height: 16)
            XCTAssertEqual(map.strongestPixel(seed: seed), map.descendingOrder(seed: seed).first)
        }
        let rate = hits / Double(seeds.count)
        print("pointing game of a 52-pixel plateau with 36 inside: hit rate \(rate) over \(seeds.count) seeds (expected \(36.0 / 52))")
        XCTAssertEqual(rate, 36.0 / 52, accuracy: 0.07)
        // A unique maximum is found whatever the seed.
        var spike = [Float](repeating: 0.5, count: 256)
        spike[7 * 16 + 7] = 2
        let one = AttributionMap(values: spike, width: 16, height: 16)
        for seed in 0..<5 as Range<UInt64> { XCTAssertEqual(one.strongestPixel(seed: seed), 7 * 16 + 7) }
    }

    func testMissingAnnotationNamesTheImage() throws {
        let model = try F.context(F.regionModel())
        XCTAssertThrowsError(try F.metric(Localisation.self).evaluate(F.input(F.regionImage(), map: F.perfectMap), model: model)) { error in
            XCTAssertEqual(error as? MetricError, .missingAnnotation(metric: "localisation", image: "test-image"))
            XCTAssertTrue("\(error)".contains("test-image"), "\(error)")
        }
    }

    func testAnnotationGeometryThroughResizeAndCrop() throws {
        let pre = try Preprocess(resize: 256, crop: 224, mean: [0, 0, 0], std: [1, 1, 1])
        // 400 x 300: shorter side 300 -> 256, longer round(256 * 400 / 300) = 341; crop offsets
        // floor((341 - 224) / 2) = 58 and (256 - 224) / 2 = 16.
        let b = AnnotationGeometry.box([100, 50, 300, 250], originalWidth: 400, originalHeight: 300, preprocess: pre)
        let want = [100 * 341.0 / 400 - 58, 50 * 256.0 / 300 - 16, 300 * 341.0 / 400 - 58, 250 * 256.0 / 300 - 16]
        XCTAssertEqual(want[0], 27.25, accuracy: 1e-12)
        for i in 0..<4 { XCTAssertEqual(b[i], want[i], accuracy: 1e-9) }
        // A box left of the crop collapses to the border.
        let outside = AnnotationGeometry.box([0, 0, 50, 10], originalWidth: 400, originalHeight: 300, preprocess: pre)
        XCTAssertEqual(outside, [0, 0, 0, 0])
        // Portrait 300 x 600 with resize 100 / crop 100: 100 x 200, offset y = 50.
        let p2 = try Preprocess(resize: 100, crop: 100, mean: [0, 0, 0], std: [1, 1, 1])
        XCTAssertEqual(AnnotationGeometry.box([30, 300, 150, 420], originalWidth: 300, originalHeight: 600, preprocess: p2),
                       [10, 50, 50, 90])
        // The mask follows the same geometry: the original's right half stays the crop's right half.
        let m = (0..<(300 * 600)).map { $0 % 300 >= 150 }
        let cm = AnnotationGeometry.mask(m, originalWidth: 300, originalHeight: 600, preprocess: p2)
        XCTAssertEqual(cm, (0..<10_000).map { $0 % 100 >= 50 })
    }

    /// Issue 18: a letterboxed whole picture; 400 x 300 into 60 x 100 (h x w): scale 0.2 gives
    /// 80 x 60 (w x h) at x = 10, y = 0.
    func testAnnotationGeometryThroughALetterbox() throws {
        let pre = try Preprocess(fit: .letterbox, height: 60, width: 100, mean: [0, 0, 0], std: [1, 1, 1])
        XCTAssertEqual(AnnotationGeometry.box([100, 50, 300, 250], originalWidth: 400, originalHeight: 300, preprocess: pre),
                       [30, 10, 70, 50])
        // The whole original fills the letterbox's middle; the padding is outside every mask.
        let m = [Bool](repeating: true, count: 400 * 300)
        let lm = AnnotationGeometry.mask(m, originalWidth: 400, originalHeight: 300, preprocess: pre)
        XCTAssertEqual(lm, (0..<6000).map { (10..<90).contains($0 % 100) })
    }
}
