import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// Extremal perturbation: the smooth max-convolution mask, the area ranking loss, the blur
/// pyramid, and the optimisation on a linear engine and on the embedded model.
final class ExtremalPerturbationTests: XCTestCase {
    func testSmoothMaskPullbackMatchesFiniteDifferences() {
        let op = SmoothMask(width: 23, height: 17, step: 4, sigma: 5)
        var rng = SeededRandom(seed: 9)
        let u = rng.uniforms(op.gridCount), g = rng.uniforms(23 * 17, -1, 1)
        let analytic = op.pullback(u, g)
        func objective(_ v: [Float]) -> Double {
            zip(op.apply(v), g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var worst = 0.0
        let h: Float = 1e-3
        for k in stride(from: 0, to: op.gridCount, by: 3) {
            var plus = u, minus = u
            plus[k] += h
            minus[k] -= h
            let numeric = (objective(plus) - objective(minus)) / Double(2 * h)
            let err = abs(numeric - Double(analytic[k])) / max(1, abs(numeric))
            worst = max(worst, err)
        }
        print("SmoothMask pullback vs central differences: max relative difference \(worst)")
        XCTAssertLessThan(worst, 2e-2)
    }

    func testSmoothMaskIsFlatOnConstantGridsAndPaintsDiscs() {
        let op = SmoothMask(width: 40, height: 40, step: 5, sigma: 8)
        let ones = op.apply([Float](repeating: 1, count: op.gridCount))
        let zeros = op.apply([Float](repeating: 0, count: op.gridCount))
        print("SmoothMask ones: min \(ones.min()!), zeros: max \(zeros.max()!)")
        // The smooth max is a weighted mean, slightly below the max where neighbours are weaker.
        XCTAssertGreaterThan(ones.min()!, 0.95)
        XCTAssertEqual(zeros.max()!, 0)
        // One grid point at 1: a disc that is 1 within sigma / 2 and fades beyond sigma.
        var grid = [Float](repeating: 0, count: op.gridCount)
        let (gx, gy) = (op.gridW / 2, op.gridH / 2)
        grid[gy * op.gridW + gx] = 1
        let disc = op.apply(grid)
        let (cx, cy) = (gx * op.step + op.originX, gy * op.step + op.originY)
        func at(_ dx: Int, _ dy: Int) -> Float { disc[(cy + dy) * 40 + cx + dx] }
        print("SmoothMask disc: centre \(at(0, 0)), 3 px \(at(3, 0)), 8 px \(at(8, 0)), 16 px \(at(16, 0))")
        XCTAssertGreaterThan(at(0, 0), 0.99)
        XCTAssertGreaterThan(at(3, 0), 0.99)
        XCTAssertLessThan(at(16, 0), 0.01)
        XCTAssertGreaterThan(at(0, 0), at(8, 0))
        XCTAssertThrowsError(try ExtremalPerturbation(params: TestModels.params(ExtremalPerturbation.descriptor, [
            "smoothness": .double(2), "mask_step": .int(7)]))) { XCTAssertTrue("\($0)".contains("smoothness"), "\($0)") }
    }

    func testAreaLossIsZeroExactlyForABinaryMaskOfTheRequestedArea() {
        var mask = [Float](repeating: 0, count: 100)
        for i in [3, 17, 40, 41, 99] { mask[i] = 1 }
        let exact = ExtremalPerturbation.areaLoss(mask, keep: 5)
        XCTAssertEqual(exact.loss, 0)
        XCTAssertTrue(exact.gradient.allSatisfy { $0 == 0 })
        // One pixel too many: the smallest of the kept ones is pushed down by 2 (1 - 0) / n.
        mask[50] = 0.9
        let over = ExtremalPerturbation.areaLoss(mask, keep: 5)
        XCTAssertEqual(over.loss, 0.81 / 100, accuracy: 1e-7)
        XCTAssertEqual(over.gradient[50], 2 * 0.9 / 100, accuracy: 1e-7)
        XCTAssertEqual(over.gradient.filter { $0 != 0 }.count, 1)
    }

    func testBlurPyramidInterpolatesBetweenTheInputAndItsBlur() {
        let image = PerturbationFixtures.image(width: 16, height: 12)
        let pyramid = BlurPyramid(image: image, maxSigma: 4, levels: 8)
        let n = 16 * 12
        let sharp = pyramid.perturb([Float](repeating: 1, count: n)).image
        let blurred = pyramid.perturb([Float](repeating: 0, count: n)).image
        let reference = GaussianBlur.apply(image, sigma: 4).pixels
        let ends = (0..<(3 * n)).map { max(abs(sharp[$0] - image.pixels[$0]), abs(blurred[$0] - reference[$0])) }.max()!
        print("BlurPyramid ends: max difference to the input / its blur \(ends)")
        XCTAssertLessThan(ends, 1e-6)
        // The slope is the derivative of the interpolation (checked inside one level).
        let m = [Float](repeating: 0.3, count: n), dm: Float = 1e-3
        let (a, slope) = pyramid.perturb(m)
        let b = pyramid.perturb(m.map { $0 + dm }).image
        let worst = (0..<(3 * n)).map { abs((b[$0] - a[$0]) / dm - slope[$0]) }.max()!
        print("BlurPyramid slope vs difference quotient: max difference \(worst)")
        XCTAssertLessThan(worst, 1e-2)
    }

    /// A linear logit rewards the sharpness of the top-left quadrant (a quarter of the image):
    /// asked for a tenth of the image, the mask must sit inside the quadrant and have a tenth of
    /// the area in every game, since showing only that area keeps the logit highest
    /// (preservation) and blurring it drops the logit most (deletion).
    func testMaskMeetsTheAreaInsideTheRegionALinearModelRewards() throws {
        let size = 32, n = size * size
        let image = PerturbationFixtures.image(width: size, height: size)
        let blurred = GaussianBlur.apply(image, sigma: 3).pixels
        var w = [Float](repeating: 0, count: 3 * n)
        for c in 0..<3 {
            for y in 0..<16 {
                for x in 0..<16 {
                    let k = c * n + y * size + x
                    w[k] = (image.pixels[k] - blurred[k]) >= 0 ? 0.5 : -0.5
                }
            }
        }
        let engine = try PerturbationFixtures.linearEngine(weights: w, width: size, height: size)
        for game in ["preservation", "deletion", "dual"] {
            let method = try ExtremalPerturbation(params: TestModels.params(ExtremalPerturbation.descriptor, [
                "area": .double(0.1), "smoothness": .double(4), "steps": .int(120), "lr": .double(0.1),
                "blur_sigma": .double(3), "mask_step": .int(4), "game": .string(game),
            ]))
            let e = try method.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
            var inside = 0.0, outside = 0.0
            for y in 0..<size { for x in 0..<size {
                let v = Double(e.map.data[y * size + x])
                if y < 16 && x < 16 { inside += v } else { outside += v }
            } }
            let area = e.scalars["area"] ?? .nan, binary = e.scalars["area_binary"] ?? .nan
            let original = e.scalars["original_logit"] ?? .nan
            print("extremal \(game) (linear): mask mass inside the quadrant \(inside / (inside + outside)), area \(area), above 0.5 \(binary), logit preserved \(e.scalars["preserved_logit"] ?? .nan), deleted \(e.scalars["deleted_logit"] ?? .nan), original \(original)")
            XCTAssertGreaterThan(inside / (inside + outside), 0.9, game)
            XCTAssertEqual(area, 0.1, accuracy: 0.03, game)
            XCTAssertEqual(binary, 0.1, accuracy: 0.03, game)
            XCTAssertEqual(e.map.shape, [size, size])
            // Each game reports the images it plays, and a deleted image scores below the original.
            let played = game == "dual" ? ["deleted", "preserved"] : [game == "deletion" ? "deleted" : "preserved"]
            XCTAssertEqual(e.images.keys.sorted(), played, game)
            XCTAssertEqual(played.map { e.scalars["\($0)_logit"] != nil }, played.map { _ in true }, game)
            if let deleted = e.scalars["deleted_logit"] { XCTAssertLessThan(deleted, original, game) }
            let again = try method.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
            XCTAssertEqual(again.map.data, e.map.data, game)
        }
    }

    func testMaskAreaOnTheEmbeddedModel() throws {
        #if DEBUG
        throw XCTSkip("run in release: swift test -c release -Xswiftc -enable-testing")
        #endif
        let model = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        // 30 steps is what the example experiments use; the default is 300.
        for (steps, requested, game) in [(30, 0.1, "preservation"), (60, 0.2, "preservation"), (30, 0.1, "deletion")] {
            let method = try ExtremalPerturbation(params: TestModels.params(ExtremalPerturbation.descriptor, [
                "area": .double(requested), "steps": .int(steps), "game": .string(game)]))
            let start = Date()
            let e = try method.explain(input, model: model)
            let area = e.scalars["area"] ?? .nan, binary = e.scalars["area_binary"] ?? .nan
            let original = e.scalars["original_logit"] ?? .nan
            print("extremal \(game) (efficientnet-lite0, area \(requested), \(steps) steps, \(String(format: "%.1f", Date().timeIntervalSince(start))) s): area \(area), above 0.5 \(binary), area loss \(e.scalars["area_loss"] ?? .nan), logit preserved \(e.scalars["preserved_logit"] ?? .nan), deleted \(e.scalars["deleted_logit"] ?? .nan) of \(original)")
            XCTAssertEqual(area, requested, accuracy: 0.03)
            XCTAssertEqual(binary, requested, accuracy: 0.03)
            // The optimised deletion must cost the logit more than blurring a square of the same
            // area in a corner.
            if let deleted = e.scalars["deleted_logit"] {
                let image = input.image, n = image.width * image.height
                let side = Int((requested * Double(n)).squareRoot())
                var keep = [Float](repeating: 1, count: n)
                for y in 0..<side { for x in 0..<side { keep[y * image.width + x] = 0 } }
                let blurred = BlurPyramid(image: image, maxSigma: 10, levels: 8).perturb(keep).image
                let corner = TargetScore.values(try model.engine.logits(model.normalize(
                    Tensor(shape: [1, 3, image.height, image.width], data: blurred))), target: input.target)[0]
                print("extremal deletion: corner square deleted logit \(corner)")
                XCTAssertLessThan(deleted, Double(corner), game)
            }
        }
    }
}
