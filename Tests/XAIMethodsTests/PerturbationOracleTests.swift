import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods

/// Exact oracles on linear models (and a small non-linear one for Shapley values).
final class PerturbationOracleTests: XCTestCase {
    let size = 24

    func testOcclusionOnALinearEngineIsTheWindowedSumOfWeightTimesDifference() throws {
        let image = PerturbationFixtures.image(width: size, height: size)
        let n = size * size
        let w = (0..<(3 * n)).map { Float(sin(Double($0) * 0.7)) * 0.01 }
        let engine = try PerturbationFixtures.linearEngine(weights: w, width: size, height: size, bias: 0.3)
        for (value, fill) in [(ParamValue.string("gray"), Float(0.5)), (.double(0.2), 0.2), (.string("black"), 0)] {
            let occ = try Occlusion(params: TestModels.params(Occlusion.descriptor, [
                "window": .int(6), "stride": .int(4), "value": value, "score": .string("logit"), "batch": .int(7),
            ]))
            let e = try occ.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
            let ys = Occlusion.positions(size: size, window: 6, stride: 4)
            XCTAssertEqual(ys, [0, 4, 8, 12, 16, 18])
            guard let grid = e.arrays["grid"] else { return XCTFail("no grid") }
            XCTAssertEqual(grid.shape, [6, 6])
            let base = Float(e.scalars["base_score"] ?? .nan)
            var maxDiff: Float = 0
            var expectedDrops = [Float]()
            for y0 in ys {
                for x0 in ys {
                    var drop: Double = 0
                    for c in 0..<3 {
                        for y in y0..<(y0 + 6) {
                            for x in x0..<(x0 + 6) {
                                let i = c * n + y * size + x
                                drop += Double(w[i]) * Double(image.pixels[i] - fill)
                            }
                        }
                    }
                    expectedDrops.append(Float(drop))
                }
            }
            for (k, d) in expectedDrops.enumerated() { maxDiff = max(maxDiff, abs((base - grid.data[k]) - d)) }
            // The map at a pixel is the mean drop of the windows covering it.
            let px = (y: 5, x: 9)
            let covering = ys.enumerated().flatMap { r, y0 in ys.enumerated().compactMap { c, x0 in
                (px.y >= y0 && px.y < y0 + 6 && px.x >= x0 && px.x < x0 + 6) ? expectedDrops[r * ys.count + c] : nil } }
            let expectedMap = covering.reduce(0, +) / Float(covering.count)
            let mapDiff = abs(e.map.data[px.y * size + px.x] - expectedMap)
            print("occlusion \(value): max grid difference \(maxDiff), map difference \(mapDiff)")
            XCTAssertLessThan(maxDiff, 1e-4)
            XCTAssertLessThan(mapDiff, 1e-4)
            XCTAssertEqual(e.map.shape, [size, size])
        }
    }

    func testLIMERecoversSuperpixelCoefficientsThroughTheEngine() throws {
        let image = PerturbationFixtures.image(width: size, height: size)
        var lime = try LIME(params: TestModels.params(LIME.descriptor, [
            "segmentation": .string("grid"), "cells": .int(4), "hide": .string("black"), "samples": .int(1000),
        ]))
        lime.score = .logit
        let seg = SegmentationAlgorithm.grid(cells: 4).segment(image)
        let a = (0..<seg.count).map { j in Double(j % 5) - 1.7 + 0.3 * Double(j) }
        let engine = try PerturbationFixtures.linearEngine(weights: PerturbationFixtures.superpixelMeanWeights(seg, coefficients: a),
                                                           width: size, height: size, bias: 0.25)
        let e = try lime.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
        // With black hiding, sample z scores sum_j a_j m_j z_j: the coefficients are a_j * m_j.
        let means = seg.meanColors(of: image).map { Double($0.0 + $0.1 + $0.2) / 3 }
        guard let weights = e.arrays["weights"] else { return XCTFail("no weights") }
        var worst = 0.0
        for j in 0..<seg.count {
            let truth = a[j] * means[j]
            worst = max(worst, abs(Double(weights.data[j]) - truth) / max(abs(truth), 1e-9))
        }
        var errorSquared = 0.0, truthSquared = 0.0
        for j in 0..<seg.count {
            let truth = a[j] * means[j]
            let d = Double(weights.data[j]) - truth
            errorSquared += d * d
            truthSquared += truth * truth
        }
        let norm = (errorSquared / truthSquared).squareRoot()
        print("LIME: worst relative error \(worst), relative L2 error \(norm), r2 \(e.scalars["r2"] ?? .nan), intercept \(e.scalars["intercept"] ?? .nan)")
        XCTAssertLessThan(norm, 0.05)
        XCTAssertLessThan(worst, 0.05)
        XCTAssertGreaterThan(e.scalars["r2"] ?? 0, 0.99)
        // Without the ridge penalty the fit is exact, intercept included.
        var exactLime = try LIME(params: TestModels.params(LIME.descriptor, [
            "segmentation": .string("grid"), "cells": .int(4), "hide": .string("black"), "samples": .int(1000), "alpha": .double(0),
        ]))
        exactLime.score = .logit
        let exact = try exactLime.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
        let exactDiff = (0..<seg.count).map { abs(Double(exact.arrays["weights"]?.data[$0] ?? .nan) - a[$0] * means[$0]) }.max() ?? .nan
        print("LIME alpha 0: max coefficient difference \(exactDiff), intercept \(exact.scalars["intercept"] ?? .nan)")
        XCTAssertLessThan(exactDiff, 1e-4)
        XCTAssertEqual(exact.scalars["intercept"] ?? .nan, 0.25, accuracy: 1e-4)
        XCTAssertEqual(e.segments, seg.labels)
        XCTAssertNotNil(e.images["top_features"])
        XCTAssertEqual(e.arrays["top_features"]?.count, 5)
    }

    func testKernelSHAPIsExactOnALinearEngine() throws {
        let image = PerturbationFixtures.image(width: size, height: size)
        var shap = try KernelSHAP(params: TestModels.params(KernelSHAP.descriptor, [
            "segmentation": .string("grid"), "cells": .int(5), "hide": .string("gray"),
        ]))
        shap.score = .logit
        let seg = SegmentationAlgorithm.grid(cells: 5).segment(image)
        let a = (0..<seg.count).map { j in sin(Double(j) * 1.3) * 2 }
        let engine = try PerturbationFixtures.linearEngine(weights: PerturbationFixtures.superpixelMeanWeights(seg, coefficients: a),
                                                           width: size, height: size, bias: -0.4)
        let e = try shap.explain(PerturbationFixtures.input(image), model: PerturbationFixtures.context(engine))
        // Gray hiding: superpixel j contributes a_j (m_j - 0.5) when shown.
        let means = seg.meanColors(of: image).map { Double($0.0 + $0.1 + $0.2) / 3 }
        guard let phi = e.arrays["shapley_values"] else { return XCTFail("no values") }
        var maxDiff = 0.0
        for j in 0..<seg.count { maxDiff = max(maxDiff, abs(Double(phi.data[j]) - a[j] * (means[j] - 0.5))) }
        print("KernelSHAP linear (25 superpixels, \(e.scalars["coalitions"] ?? 0) coalitions): max difference \(maxDiff), efficiency gap \(e.scalars["efficiency_gap"] ?? .nan)")
        XCTAssertLessThan(maxDiff, 1e-4)
        XCTAssertLessThan(e.scalars["efficiency_gap"] ?? 1, 1e-9)
    }

    func testKernelSHAPGivesExactShapleyValuesOfANonLinearGame() throws {
        // 9 superpixels (3 x 3 grid); the auto budget (2 * 9 + 2048) covers all 510 coalitions.
        let image = PerturbationFixtures.image(width: 12, height: 12)
        let seg = SegmentationAlgorithm.grid(cells: 3).segment(image)
        let m = seg.count
        // A game with interactions over the superpixel means (black hiding: hidden mean = 0).
        func game(_ means: [Double]) -> Double {
            var v = 0.0
            for j in 0..<m { v += Double(j + 1) * 0.1 * means[j] }
            v += 2 * means[0] * means[4] - 1.5 * means[2] * means[3] * means[8] + means[7] * means[7]
            return v
        }
        func segmentMeans(_ pixels: UnsafeBufferPointer<Float>) -> [Double] {
            var s = [Double](repeating: 0, count: m), c = [Double](repeating: 0, count: m)
            let n = 144
            for i in 0..<n {
                let l = Int(seg.labels[i])
                s[l] += Double(pixels[i] + pixels[n + i] + pixels[2 * n + i]); c[l] += 3
            }
            return (0..<m).map { s[$0] / c[$0] }
        }
        let scorer = PerturbationBatch(batch: 64) { images in
            let item = images.itemCount
            var out = [Float](repeating: 0, count: 2 * images.shape[0])
            images.data.withUnsafeBufferPointer { d in
                for i in 0..<images.shape[0] {
                    out[2 * i] = Float(game(segmentMeans(UnsafeBufferPointer(rebasing: d[(i * item)..<((i + 1) * item)]))))
                }
            }
            return Tensor(shape: [images.shape[0], 2], data: out)
        }
        var shap = try KernelSHAP(params: TestModels.params(KernelSHAP.descriptor, [
            "segmentation": .string("grid"), "cells": .int(3), "hide": .string("black"),
        ]))
        shap.score = .logit
        let e = try shap.explain(PerturbationFixtures.input(image), scorer: scorer)

        // Brute-force Shapley values of v(S) = game(means restricted to S).
        let full = image.pixels.withUnsafeBufferPointer { segmentMeans($0) }
        func value(_ mask: Int) -> Double { game((0..<m).map { mask & (1 << $0) != 0 ? full[$0] : 0 }) }
        var exact = [Double](repeating: 0, count: m)
        func factorial(_ k: Int) -> Double { k < 2 ? 1 : Double(k) * factorial(k - 1) }
        for j in 0..<m {
            for s in 0..<(1 << m) where s & (1 << j) == 0 {
                let k = s.nonzeroBitCount
                exact[j] += factorial(k) * factorial(m - k - 1) / factorial(m) * (value(s | (1 << j)) - value(s))
            }
        }
        guard let phi = e.arrays["shapley_values"] else { return XCTFail("no values") }
        let maxDiff = (0..<m).map { abs(Double(phi.data[$0]) - exact[$0]) }.max() ?? 0
        print("KernelSHAP non-linear game: max difference to exact Shapley values \(maxDiff), coalitions \(e.scalars["coalitions"] ?? 0)")
        XCTAssertEqual(e.scalars["coalitions"], 510)
        XCTAssertLessThan(maxDiff, 1e-4)
        XCTAssertLessThan(e.scalars["efficiency_gap"] ?? 1, 1e-9)
    }

    func testShapleyCoalitionsEnumerateOuterSizesAndSampleTheRest() {
        let c = ShapleyCoalitions(m: 20, samples: 2 * 20 + 2048, seed: 5)
        // Sizes 1 and 19 (40 coalitions) and 2 and 18 (380) fit the budget; size 3 (2 x 1140) does not.
        var sizes = [Int: Int]()
        for i in 0..<c.count { sizes[(0..<20).filter { c.members[i * 20 + $0] }.count, default: 0] += 1 }
        XCTAssertEqual(sizes[1], 20); XCTAssertEqual(sizes[19], 20)
        XCTAssertEqual(sizes[2], 190); XCTAssertEqual(sizes[18], 190)
        XCTAssertGreaterThan(c.count, 1500)
        XCTAssertLessThanOrEqual(c.count, 2 * 20 + 2048 + 1)
        XCTAssertEqual(c.weights.reduce(0, +), 1, accuracy: 1e-9)
        XCTAssertNotEqual(ShapleyCoalitions(m: 20, samples: 500, seed: 6).members, ShapleyCoalitions(m: 20, samples: 500, seed: 5).members)
    }
}
