import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// Determinism, cache sharing, RISE and anchors behaviour, parameter errors.
final class PerturbationBehaviourTests: XCTestCase {
    let size = 24

    private func linearSetup(cells: Int = 4) -> (RGBImage, Segmentation, [Float]) {
        let image = PerturbationFixtures.image(width: size, height: size)
        let seg = SegmentationAlgorithm.grid(cells: cells).segment(image)
        let a = (0..<seg.count).map { j in cos(Double(j) * 0.9) * 3 }
        return (image, seg, PerturbationFixtures.superpixelMeanWeights(seg, coefficients: a))
    }

    func testSameSeedGivesByteIdenticalMapsAndAnotherSeedOtherMasks() throws {
        let (image, _, w) = linearSetup()
        let scorer = PerturbationFixtures.linearScorer(weights: w)
        let lime = try LIME(params: TestModels.params(LIME.descriptor, [
            "segmentation": .string("quickshift"), "samples": .int(200),
        ]))
        let a = try lime.explain(PerturbationFixtures.input(image, seed: 11), scorer: scorer)
        let b = try lime.explain(PerturbationFixtures.input(image, seed: 11), scorer: scorer)
        XCTAssertEqual(a.map.data, b.map.data)
        XCTAssertEqual(a.segments, b.segments)
        XCTAssertNotEqual(LIME.design(samples: 50, segments: 10, seed: 11), LIME.design(samples: 50, segments: 10, seed: 12))
        // Quick shift's superpixels are a function of the image and parameters, not the seed (as
        // scikit-image's): equal for two seeds, also on a flat picture where only the tie-breaking
        // noise decides the links (before, that noise followed the seed: different segment counts).
        let flat = RGBImage(width: size, height: size, color: (0.4, 0.5, 0.6))
        for picture in [image, flat] {
            let s11 = try lime.explain(PerturbationFixtures.input(picture, seed: 11), scorer: scorer)
            let s12 = try lime.explain(PerturbationFixtures.input(picture, seed: 12), scorer: scorer)
            XCTAssertEqual(s11.segments, s12.segments)
        }

        let rise = try RISE(params: TestModels.params(RISE.descriptor, ["masks": .int(64), "cells": .int(4)]))
        let r1 = try rise.explain(PerturbationFixtures.input(image, seed: 3), scorer: scorer)
        let r2 = try rise.explain(PerturbationFixtures.input(image, seed: 3), scorer: scorer)
        let r3 = try rise.explain(PerturbationFixtures.input(image, seed: 4), scorer: scorer)
        XCTAssertEqual(r1.map.data, r2.map.data)
        XCTAssertNotEqual(r1.map.data, r3.map.data)
        XCTAssertNotEqual(RISE.mask(0, seed: 3, cells: 4, p: 0.5, width: 24, height: 24),
                          RISE.mask(0, seed: 4, cells: 4, p: 0.5, width: 24, height: 24))

        let shap = try KernelSHAP(params: TestModels.params(KernelSHAP.descriptor, ["segmentation": .string("grid"), "cells": .int(5), "samples": .int(300)]))
        let s1 = try shap.explain(PerturbationFixtures.input(image, seed: 5), scorer: scorer)
        let s2 = try shap.explain(PerturbationFixtures.input(image, seed: 5), scorer: scorer)
        XCTAssertEqual(s1.map.data, s2.map.data)

        let occ = try Occlusion(params: TestModels.params(Occlusion.descriptor, ["window": .int(8), "stride": .int(8), "value": .string("noise")]))
        let o1 = try occ.explain(PerturbationFixtures.input(image, seed: 5), scorer: scorer)
        let o2 = try occ.explain(PerturbationFixtures.input(image, seed: 5), scorer: scorer)
        let o3 = try occ.explain(PerturbationFixtures.input(image, seed: 6), scorer: scorer)
        XCTAssertEqual(o1.map.data, o2.map.data)
        XCTAssertNotEqual(o1.map.data, o3.map.data)
    }

    func testModelOutputsAreSharedThroughTheCacheAcrossFittingParameters() throws {
        let (image, _, w) = linearSetup()
        let cache = CountingCache()
        let calls = Counter()
        let scorer = PerturbationFixtures.linearScorer(weights: w, batch: 32, cache: cache, calls: calls)
        func lime(_ extra: [String: ParamValue]) throws -> LIME {
            try LIME(params: TestModels.params(LIME.descriptor, extra.merging(["segmentation": .string("grid"), "cells": .int(4), "samples": .int(300)]) { a, _ in a }))
        }
        let first = try lime([:]).explain(PerturbationFixtures.input(image), scorer: scorer)
        XCTAssertEqual(calls.count, 300)
        XCTAssertEqual(cache.stores, 1)
        // Other fitting parameters and another batch size: no model call.
        let second = try lime(["kernel_width": .double(0.5), "alpha": .double(0.1), "features": .int(3), "batch": .int(7)])
            .explain(PerturbationFixtures.input(image), scorer: scorer)
        XCTAssertEqual(calls.count, 300)
        XCTAssertEqual(cache.hits, 1)
        XCTAssertNotEqual(first.arrays["weights"], second.arrays["weights"])
        // A sampling parameter or another seed runs the model again.
        _ = try lime(["samples": .int(100)]).explain(PerturbationFixtures.input(image), scorer: scorer)
        XCTAssertEqual(calls.count, 400)
        _ = try lime([:]).explain(PerturbationFixtures.input(image, seed: 99), scorer: scorer)
        XCTAssertEqual(calls.count, 700)
        XCTAssertEqual(cache.stores, 3)
        // Occlusion: `score` is not part of the key (both scores are stored).
        let occLogit = try Occlusion(params: TestModels.params(Occlusion.descriptor, ["window": .int(8), "score": .string("logit")]))
        let occProb = try Occlusion(params: TestModels.params(Occlusion.descriptor, ["window": .int(8), "score": .string("probability")]))
        _ = try occLogit.explain(PerturbationFixtures.input(image), scorer: scorer)
        let before = calls.count
        _ = try occProb.explain(PerturbationFixtures.input(image), scorer: scorer)
        XCTAssertEqual(calls.count, before)
        print("cache keys: \(cache.keys.sorted())")
    }

    func testRISEMapOfAConstantModelIsTheMeanMaskOverP() throws {
        let image = PerturbationFixtures.image(width: size, height: size)
        let constant = PerturbationBatch(batch: 50) { images in Tensor(shape: [images.shape[0], 2], repeating: 0) }
        let rise = try RISE(params: TestModels.params(RISE.descriptor, ["masks": .int(2000), "cells": .int(5), "p": .double(0.3)]))
        let e = try rise.explain(PerturbationFixtures.input(image), scorer: constant)
        // Probability of a two-class model with equal logits is 0.5: map = 0.5 * mean(mask) / p ~ 0.5.
        let mean = e.map.data.reduce(0, +) / Float(e.map.count)
        let spread = (e.map.data.max() ?? 0) - (e.map.data.min() ?? 0)
        print("RISE constant model: map mean \(mean), spread \(spread)")
        XCTAssertEqual(mean, 0.5, accuracy: 0.02)
        XCTAssertLessThan(spread, 0.15)
    }

    func testRISEHighlightsTheRegionTheModelLooksAt() throws {
        let image = RGBImage(width: size, height: size, color: (1, 1, 1))
        // Logit grows with the brightness of the top-left 8 x 8 block only.
        let scorer = PerturbationBatch(batch: 64) { images in
            let item = images.itemCount, n = 24 * 24
            var out = [Float](repeating: 0, count: 2 * images.shape[0])
            for i in 0..<images.shape[0] {
                var s: Float = 0
                for y in 0..<8 { for x in 0..<8 { s += images.data[i * item + y * 24 + x] } }
                _ = n
                out[2 * i] = 8 * (s / 64 - 0.5)
            }
            return Tensor(shape: [images.shape[0], 2], data: out)
        }
        let rise = try RISE(params: TestModels.params(RISE.descriptor, ["masks": .int(1000), "cells": .int(4)]))
        let e = try rise.explain(PerturbationFixtures.input(image), scorer: scorer)
        let inside = e.map.data[3 * 24 + 3], outside = e.map.data[20 * 24 + 20]
        print("RISE region: inside \(inside), outside \(outside)")
        XCTAssertGreaterThan(inside, outside + 0.1)
    }

    func testAnchorsFindTheSuperpixelThatDecidesTheClass() throws {
        let image = PerturbationFixtures.image(width: size, height: size)
        let seg = SegmentationAlgorithm.grid(cells: 3).segment(image)
        // Class 0 wins exactly when superpixel 4 (the centre) is shown; black hiding.
        let centre = seg.members[4]
        let scorer = PerturbationBatch(batch: 100) { images in
            let item = images.itemCount
            var out = [Float](repeating: 0, count: 2 * images.shape[0])
            for i in 0..<images.shape[0] {
                let s = centre.reduce(Float(0)) { $0 + images.data[i * item + $1] } / Float(centre.count)
                out[2 * i] = s > 0.05 ? 1 : -1
            }
            return Tensor(shape: [images.shape[0], 2], data: out)
        }
        let anchors = try Anchors(params: TestModels.params(Anchors.descriptor, [
            "segmentation": .string("grid"), "cells": .int(3), "hide": .string("black"), "batch": .int(50),
        ]))
        let e = try anchors.explain(PerturbationFixtures.input(image, seed: 2), scorer: scorer)
        print("anchors: anchor \(e.arrays["anchor"]?.data ?? []), precision \(e.scalars["precision"] ?? .nan), coverage \(e.scalars["coverage"] ?? .nan), samples \(e.scalars["samples"] ?? .nan)")
        XCTAssertEqual(e.arrays["anchor"]?.data, [4])
        XCTAssertEqual(e.scalars["precision"], 1)
        XCTAssertEqual(e.scalars["threshold_met"], 1)
        XCTAssertEqual(e.scalars["coverage"] ?? 0, 0.5, accuracy: 0.03)
        XCTAssertEqual(e.map.data[12 * 24 + 12], 1)
        XCTAssertEqual(e.map.data[0], 0)
        let again = try anchors.explain(PerturbationFixtures.input(image, seed: 2), scorer: scorer)
        XCTAssertEqual(again.scalars["samples"], e.scalars["samples"])
    }

    func testKLBoundsBracketTheMean() {
        let level = 0.05
        let u = KLBounds.upper(0.7, level: level), l = KLBounds.lower(0.7, level: level)
        XCTAssertGreaterThan(u, 0.7); XCTAssertLessThan(l, 0.7)
        XCTAssertEqual(KLBounds.divergence(0.7, u), level, accuracy: 1e-4)
        XCTAssertEqual(KLBounds.divergence(0.7, l), level, accuracy: 1e-4)
    }

    func testParameterErrorsNameTheParameter() {
        XCTAssertThrowsError(try LIME(params: TestModels.params(LIME.descriptor, ["segmentation": .string("watershed")]))) {
            XCTAssertTrue("\($0)".contains("segmentation"), "\($0)")
        }
        XCTAssertThrowsError(try Occlusion(params: TestModels.params(Occlusion.descriptor, ["value": .string("purple")]))) {
            XCTAssertTrue("\($0)".contains("value"), "\($0)")
        }
        XCTAssertThrowsError(try KernelSHAP(params: TestModels.params(KernelSHAP.descriptor, ["samples": .string("many")]))) {
            XCTAssertTrue("\($0)".contains("samples"), "\($0)")
        }
    }
}

/// Anchors' sample reuse: a row counts for anchor A exactly when it was drawn for a subset of A
/// and shows all of A, a repeated row is not scored again, and the model only ever sees batches
/// of `batch`.
final class AnchorSampleReuseTests: XCTestCase {
    func testRowsCountOnlyForSupersetsOfTheAnchorTheyWereDrawnFor() throws {
        let image = PerturbationFixtures.image(width: 24, height: 24)
        let seg = SegmentationAlgorithm.grid(cells: 3).segment(image)
        let sizes = BatchSizes()
        let scorer = PerturbationBatch(batch: 16) { images in
            sizes.append(images.shape[0])
            // Class 0 on top when the image's mean is high, so labels vary.
            let item = images.itemCount
            var out = [Float](repeating: 0, count: 2 * images.shape[0])
            for i in 0..<images.shape[0] {
                out[2 * i] = (0..<item).reduce(Float(0)) { $0 + images.data[i * item + $1] } / Float(item) - 0.3
            }
            return Tensor(shape: [images.shape[0], 2], data: out)
        }
        var search = AnchorSearch(m: seg.count, pSample: 0.5, seed: 3,
                                  hiding: SuperpixelHiding(image: image, segmentation: seg, mode: .black),
                                  scorer: scorer, target: 0, coverageSamples: 100)
        search.register([])
        search.register([1])
        try search.sample([[]], count: 40)
        try search.sample([[1]], count: 40)
        try search.sample([[2]], count: 40)
        search.register([1, 2])
        search.register([1, 3])
        try search.sample([[1, 2]], count: 20)
        let drawnFor: [[Int]] = Array(repeating: [], count: 40) + Array(repeating: [1], count: 40)
            + Array(repeating: [2], count: 40) + Array(repeating: [1, 2], count: 20)
        func expected(_ anchor: [Int]) -> (n: Int, positives: Int) {
            var n = 0, pos = 0
            for r in 0..<drawnFor.count where Set(drawnFor[r]).isSubset(of: anchor)
                && anchor.allSatisfy({ search.pool[r * search.words + $0 / 64] & (1 << UInt64($0 % 64)) != 0 }) {
                n += 1
                if search.labels[r] { pos += 1 }
            }
            return (n, pos)
        }
        for anchor in [[], [1], [1, 2], [1, 3]] {
            let a = search.arm(anchor), e = expected(anchor)
            print("anchor \(anchor): \(a.n) rows (\(a.positives) positive), expected \(e.n) (\(e.positives))")
            XCTAssertEqual(a.n, e.n, "\(anchor)")
            XCTAssertEqual(a.positives, e.positives, "\(anchor)")
        }
        // [1, 3] never sees the rows drawn for [2] or [1, 2], which always show superpixel 2.
        XCTAssertLessThan(search.arm([1, 3]).n, search.arm([1, 2]).n)
        XCTAssertEqual(search.arm([]).n, 40)
        // 140 rows over 9 superpixels repeat: each distinct picture is scored once, and every row
        // carries the label its own picture gets.
        let rows = (0..<search.labels.count).map { Array(search.pool[($0 * search.words)..<(($0 + 1) * search.words)]) }
        let distinct = Set(rows)
        print("anchor draws: \(rows.count) rows, \(distinct.count) distinct pictures scored")
        XCTAssertEqual(search.evaluations, distinct.count)
        XCTAssertEqual(sizes.values.reduce(0, +), distinct.count)
        XCTAssertLessThan(distinct.count, 140)
        for (r, row) in rows.enumerated() {
            let alone = try scorer.scores(count: 1, width: 24, height: 24, target: 0, cacheKey: nil) { _, dst in
                search.hiding.render(active: (0..<seg.count).map { row[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }, into: dst)
            }
            XCTAssertEqual(search.labels[r], alone.isTop[0], "row \(r)")
        }
        XCTAssertTrue(sizes.values.allSatisfy { $0 <= 16 }, "\(sizes.values)")
    }
}

private final class BatchSizes: @unchecked Sendable {
    private let lock = NSLock()
    private var sizes: [Int] = []
    func append(_ n: Int) { lock.lock(); sizes.append(n); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return sizes }
}
