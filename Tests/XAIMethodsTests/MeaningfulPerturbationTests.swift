import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// Meaningful perturbation: the objective's gradient, the jitter's pullback, and the optimised
/// mask on a linear engine (where the answer is known) and on the embedded model.
final class MeaningfulPerturbationTests: XCTestCase {
    private typealias Method = MeaningfulPerturbation

    /// d(objective)/d(m) against central differences of
    /// F(m) = sum G * normalise(Phi(up(m))) + l1 mean|1 - m| + tv (mean |dx m|^3 + mean |dy m|^3).
    func testObjectiveGradientMatchesFiniteDifferences() {
        let (w, h, s) = (16, 12, 5)
        let image = PerturbationFixtures.image(width: w, height: h)
        let deleted = GaussianBlur.apply(image, sigma: 3).pixels
        let invStd: [Float] = [2, 3, 4]
        let objective = Method.Objective(image: image, deleted: deleted, maskSize: s, l1: 0.3, tv: 0.7, beta: 3,
                                         invStd: invStd)
        var rng = SeededRandom(seed: 5)
        let m = rng.uniforms(s * s, 0.1, 0.9), g = rng.uniforms(3 * w * h, -1, 1)
        func value(_ m: [Float]) -> Double {
            let phi = objective.perturb(MapResize.bilinear(m, h: s, w: s, toH: h, toW: w))
            var score = 0.0
            for k in phi.indices { score += Double(g[k]) * Double(phi[k] * invStd[k / (w * h)]) }
            let p = objective.penalties(m)
            return score + p.l1 + p.tv
        }
        let analytic = objective.gradient(m, scoreGradient: g)
        var worst = 0.0
        let step: Float = 1e-2
        for k in m.indices {
            var plus = m, minus = m
            plus[k] += step
            minus[k] -= step
            let numeric = (value(plus) - value(minus)) / Double(2 * step)
            worst = max(worst, abs(numeric - Double(analytic[k])) / max(1, abs(numeric)))
        }
        print("meaningful perturbation objective gradient vs central differences: max relative difference \(worst)")
        XCTAssertLessThan(worst, 2e-3)
    }

    func testShiftPullbackIsTheTransposeOfTheShift() {
        let (w, h) = (9, 7)
        var rng = SeededRandom(seed: 2)
        let a = rng.uniforms(3 * w * h, -1, 1), b = rng.uniforms(3 * w * h, -1, 1)
        for shift in [Method.Shift(dx: 0, dy: 0), Method.Shift(dx: 3, dy: -2), Method.Shift(dx: -4, dy: 4)] {
            var back = [Float](repeating: 0, count: b.count)
            shift.accumulatePullback(b, into: &back, width: w, height: h)
            let lhs = zip(shift.apply(a, width: w, height: h), b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(a, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4, "shift \(shift.dx), \(shift.dy)")
        }
        // A shift right by 3 shows column 0 in columns 0...3.
        let ramp = (0..<(3 * w * h)).map { Float($0 % w) }
        XCTAssertEqual(Array(Method.Shift(dx: 3, dy: 0).apply(ramp, width: w, height: h).prefix(w)), [0, 0, 0, 0, 1, 2, 3, 4, 5])
    }

    /// A linear model whose logit rises with detail (image minus its blur) in the top-left
    /// quadrant only: deleting (blurring) that quadrant is the one way to drop the score, so the
    /// map must sit there and the deleted score must fall.
    func testDeletesTheRegionALinearModelRewards() throws {
        let size = 32, n = size * size
        let image = PerturbationFixtures.image(width: size, height: size)
        let blurred = GaussianBlur.apply(image, sigma: 3).pixels
        var w = [Float](repeating: 0, count: 3 * n)
        for c in 0..<3 { for y in 0..<16 { for x in 0..<16 {
            let k = c * n + y * size + x
            w[k] = image.pixels[k] >= blurred[k] ? 0.5 : -0.5
        } } }
        let engine = try PerturbationFixtures.linearEngine(weights: w, width: size, height: size)
        let method = try Method(params: TestModels.params(Method.descriptor, [
            "iterations": .int(80), "mask_size": .int(8), "blur_sigma": .double(3), "jitter": .int(1), "score": .string("logit"),
            "lambda_l1": .double(1), "lambda_tv": .double(0.01),
        ]))
        let e = try method.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
        // Inside the quadrant everything is deleted; the bilinear upsampling of the 8 x 8 grid
        // (4 px cells) lets the mask spill about one cell past its edge, and no further.
        var inside = 0.0, far = 0.0, farCount = 0.0
        for y in 0..<size { for x in 0..<size {
            let v = Double(e.map.data[y * size + x])
            if y < 16 && x < 16 { inside += v / 256 }
            if y >= 24 || x >= 24 { far += v; farCount += 1 }
        } }
        let original = e.scalars["original_score"] ?? .nan, deletedScore = e.scalars["deleted_score"] ?? .nan
        print("meaningful perturbation (linear): map mean inside the quadrant \(inside), beyond one cell of it \(far / farCount), deleted area \(e.scalars["deleted_area"] ?? .nan), logit \(original) -> \(deletedScore)")
        XCTAssertGreaterThan(inside, 0.9)
        XCTAssertLessThan(far / farCount, 0.02)
        XCTAssertLessThan(deletedScore, original * 0.5)
        XCTAssertEqual(e.map.shape, [size, size])
        XCTAssertEqual(e.lowResolution?.shape, [8, 8])
        XCTAssertEqual(e.images.keys.sorted(), ["deleted"])
        let again = try method.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
        XCTAssertEqual(again.map.data, e.map.data, "same seed, same mask")
        let other = try method.explain(PerturbationFixtures.input(image, seed: 9), model: PerturbationFixtures.context(engine))
        XCTAssertNotEqual(other.map.data, e.map.data, "the jitter follows the seed")
    }

    /// Each fill is what the deleted region shows: the mean colour is flat, the noise is drawn
    /// once per seed (so a run is repeatable) and is not the blur.
    func testFillsShowTheirOwnDeletedImage() throws {
        let size = 16
        let image = PerturbationFixtures.image(width: size, height: size)
        let w = (0..<(3 * size * size)).map { Float(($0 * 7) % 5) - 2 }
        let engine = try PerturbationFixtures.linearEngine(weights: w, width: size, height: size)
        var deleted: [String: [Float]] = [:]
        for fill in ["blur", "constant", "noise"] {
            let method = try Method(params: TestModels.params(Method.descriptor, [
                "iterations": .int(20), "mask_size": .int(4), "perturbation": .string(fill), "score": .string("logit")]))
            let e = try method.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
            let again = try method.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
            XCTAssertEqual(e.images["deleted"], again.images["deleted"], fill)
            XCTAssertLessThan(e.scalars["deleted_score"] ?? .nan, e.scalars["original_score"] ?? .nan, fill)
            deleted[fill] = e.images["deleted"]?.pixels
        }
        XCTAssertNotEqual(deleted["noise"], deleted["blur"])
        XCTAssertNotEqual(deleted["constant"], deleted["blur"])
    }

    /// On the embedded model: the optimised deletion drops the probability far more than
    /// deleting a square of the same area in a corner.
    func testDeletionOnTheEmbeddedModel() throws {
        #if DEBUG
        throw XCTSkip("run in release: swift test -c release -Xswiftc -enable-testing")
        #endif
        let model = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        let method = try Method(params: TestModels.params(Method.descriptor, ["iterations": .int(60)]))
        let start = Date()
        let e = try method.explain(input, model: model)
        let original = e.scalars["original_score"] ?? .nan, deleted = e.scalars["deleted_score"] ?? .nan
        let area = e.scalars["deleted_area"] ?? .nan
        let image = input.image, n = image.width * image.height
        let side = Int((area * Double(n)).squareRoot())
        var keep = [Float](repeating: 1, count: n)
        for y in 0..<side { for x in 0..<side { keep[y * image.width + x] = 0 } }
        let blurred = GaussianBlur.apply(image, sigma: 10).pixels
        let corner = zip(image.pixels, blurred).enumerated().map { k, pair in
            pair.1 + keep[k % n] * (pair.0 - pair.1)
        }
        let logits = try model.engine.logits(model.normalize(Tensor(shape: [1, 3, image.height, image.width], data: corner)))
        let cornerScore = TargetScore.values(softmax(logits), target: input.target)[0]
        print("meaningful perturbation (efficientnet-lite0, 60 steps, \(String(format: "%.1f", Date().timeIntervalSince(start))) s): probability \(original) -> \(deleted), deleted area \(area); a corner square of that area: \(cornerScore)")
        XCTAssertLessThan(deleted, original * 0.5)
        XCTAssertLessThan(deleted, Double(cornerScore))
        XCTAssertGreaterThan(area, 0.005)
        XCTAssertLessThan(area, 0.6)
    }
}
