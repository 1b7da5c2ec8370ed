import XCTest
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
@testable import XAIMetrics
import XAITestSupport

/// Sharing pictures between metric tasks (`SharedLogits`) must not change a single bit: the
/// engine scores each picture of a batch alike whatever the batch holds, and every metric that
/// takes shared pictures gives the values of its unshared path.
final class SharedLogitsTests: XCTestCase {
    typealias F = MetricFixtures

    private func pictures(_ count: Int) -> [[Float]] {
        (0..<count).map { F.randomImage(size: 16, seed: UInt64(100 + $0)).pixels }
    }

    /// What sharing relies on: in every batch the engine runs as micro-batches, a picture has
    /// the same logits wherever it stands and whatever its neighbours are.
    func testEachPictureHasTheSameLogitsInEveryMicroBatchedBatch() throws {
        let model = try F.context(F.convNet(size: 16))
        let all = pictures(21)
        try XCTSkipUnless(model.engine.scoresItemsAlike(batch: 4), "one core: the engine never micro-batches, nothing is shared")
        XCTAssertTrue(model.engine.scoresItemsAlike(batch: 21))
        let score = TargetProbabilities(model: model, batch: 32, metric: ROAD.kind)
        let together = try score.logits(all, width: 16, height: 16)
        let k = together.shape[1]
        var worst: Float = 0
        for (i, picture) in all.enumerated() {
            let row = Array(together.data[(i * k)..<((i + 1) * k)])
            // Another position and other neighbours: the picture second of four.
            let four = try score.logits([all[(i + 1) % 21], picture, all[(i + 5) % 21], all[(i + 7) % 21]],
                                        width: 16, height: 16)
            let second = Array(four.data[k..<(2 * k)])
            worst = max(worst, maxDifference(row, second))
            XCTAssertEqual(row, second, "picture \(i) among others")
        }
        print("logits in a batch of 21 vs in a batch of 4: max difference \(worst)")
    }

    /// A batch the engine does not micro-batch (here every batch of one) neither takes nor
    /// leaves shared logits: the whole-batch path rounds differently (on EfficientNet-Lite0 a
    /// picture scored alone differs in the last bits from the same picture in a batch of 32,
    /// which changed AOPC's values when its 33rd picture moved into the first batch).
    func testBatchesThatAreNotMicroBatchedDoNotShare() throws {
        let plain = try F.context(F.convNet(size: 16))
        XCTAssertFalse(plain.engine.scoresItemsAlike(batch: 1))
        let cache = CountingCache()
        let sharing = ModelContext(engine: plain.engine, labels: plain.labels, preprocess: plain.preprocess,
                                   targetLayer: nil, cache: cache)
        let metric = try F.metric(ROAD.self, ["fractions": .list([.double(0.25), .double(0.5)]), "batch": .int(1)])
        var input = F.input(F.randomImage(size: 16, seed: 11), map: F.randomMap(seed: 1), target: 1)
        let alone = try metric.evaluate(input, model: plain)
        // Another task's logits for the image, wrong on purpose: a batch of one must not read them.
        let key = try XCTUnwrap(SharedLogits.Picture.original.key(image: "image"))
        cache.plant(SharedLogits.fullKey(key), Tensor(shape: [1, plain.engine.classCount],
                                                      data: [Float](repeating: 3, count: plain.engine.classCount)))
        input.imageKey = "image"
        XCTAssertEqual(try metric.evaluate(input, model: sharing), alone)
        XCTAssertEqual(cache.hits, 0)
        XCTAssertEqual(cache.stores, 0)
    }

    /// Each metric that shares pictures, on two maps of one image: with the intermediate cache
    /// (the second map's image and fill pictures come from the first's), every result equals
    /// the one without any sharing.
    func testSharingMetricsGiveTheUnsharedValues() throws {
        let metrics: [(any Metric.Type, [String: ParamValue])] = [
            (Deletion.self, ["steps": .int(6)]), (Insertion.self, ["steps": .int(6)]),
            (AOPC.self, ["region": .int(4), "steps": .int(5)]),
            (AOPC.self, ["region": .int(4), "steps": .int(3), "value": .string("road")]),
            (ROAD.self, ["fractions": .list([.double(0.25), .double(0.5)]), "batch": .int(4)]),
            (ConfidenceDrop.self, ["mode": .string("keep"), "fraction": .double(0.3)]),
        ]
        try XCTSkipUnless(try F.context(F.convNet(size: 16)).engine.scoresItemsAlike(batch: 3),
                          "one core: the engine never micro-batches, nothing is shared")
        let image = F.randomImage(size: 16, seed: 11)
        let maps = [F.randomMap(seed: 1), F.randomMap(seed: 2)]
        for (type, params) in metrics {
            let metric = try F.metric(type, params)
            let cache = CountingCache()
            let plain = try F.context(F.convNet(size: 16))
            let sharing = ModelContext(engine: plain.engine, labels: plain.labels, preprocess: plain.preprocess,
                                       targetLayer: nil, cache: cache)
            for (m, map) in maps.enumerated() {
                var input = F.input(image, map: map, target: 1)
                let alone = try metric.evaluate(input, model: plain)
                input.mapKey = "map-\(m)"
                input.imageKey = "image"
                let shared = try metric.evaluate(input, model: sharing)
                let d = zip(alone.y ?? [alone.value], shared.y ?? [shared.value]).map { abs($0 - $1) }.max() ?? 0
                print("\(type.kind) map \(m): shared vs alone max difference \(d)")
                XCTAssertEqual(alone, shared, "\(type.kind) map \(m)")
            }
            XCTAssertGreaterThan(cache.hits, 0, "\(type.kind): the second map reuses the first one's pictures")
        }
    }

    /// A blur fill is made once per image: the second call loads the first one's picture, bit for
    /// bit what `Fill.image(for:)` makes; a cached tensor of another shape is made again; the
    /// cheap fills are never stored.
    func testBlurFillIsMadeOncePerImage() throws {
        let plain = try F.context(F.convNet(size: 16))
        let cache = CountingCache()
        let sharing = ModelContext(engine: plain.engine, labels: plain.labels, preprocess: plain.preprocess,
                                   targetLayer: nil, cache: cache)
        var input = F.input(F.randomImage(size: 16, seed: 11), map: F.randomMap(seed: 1), target: 1)
        input.imageKey = "image"
        let expected = Fill.blur.image(for: input.image).pixels
        let key = Fill.blur.cacheKey(image: "image")
        cache.plant(key, Tensor(shape: [3, 15, 16], data: [Float](repeating: 0, count: 720)))
        XCTAssertEqual(Fill.blur.image(for: input, model: sharing).pixels, expected)
        XCTAssertEqual(cache.stores, 1)
        XCTAssertEqual(cache.load(key)?.data, expected)
        XCTAssertEqual(Fill.blur.image(for: input, model: sharing).pixels, expected)
        XCTAssertEqual(cache.stores, 1, "the second blur comes from the cache")
        XCTAssertEqual(Fill.gray.image(for: input, model: sharing).pixels, Fill.gray.image(for: input.image).pixels)
        input.imageKey = nil
        XCTAssertEqual(Fill.blur.image(for: input, model: sharing).pixels, expected)
        XCTAssertEqual(cache.stores, 1, "neither a gray fill nor an image without a key is stored")
    }

    /// A map that orders the pixels as another does (here twice its values) perturbs the same
    /// pixels at every step, so every picture of every curve metric comes from the first map's
    /// task; a map ordering them otherwise finds only the pictures that do not depend on the map.
    /// Every value equals the unshared one either way.
    func testMapsThatPerturbTheSamePixelsShareEveryPicture() throws {
        let metrics: [(any Metric.Type, [String: ParamValue], pictures: Int, ends: Int)] = [
            // Insertion's counts include its fill, the image blurred once for both maps.
            (Deletion.self, ["steps": .int(6)], 7, 2), (Insertion.self, ["steps": .int(6)], 8, 3),
            (AOPC.self, ["region": .int(4), "steps": .int(5)], 6, 1),
            (AOPC.self, ["region": .int(4), "steps": .int(3), "value": .string("road")], 4, 1),
            (ROAD.self, ["fractions": .list([.double(0.25), .double(0.5)]), "batch": .int(5)], 5, 1),
        ]
        let plain = try F.context(F.convNet(size: 16))
        try XCTSkipUnless(plain.engine.scoresItemsAlike(batch: 3), "one core: the engine never micro-batches, nothing is shared")
        let image = F.randomImage(size: 16, seed: 11)
        let first = F.randomMap(seed: 1)
        let same = Tensor(shape: first.shape, data: first.data.map { $0 * 2 }), other = F.randomMap(seed: 2)
        for (type, params, pictures, ends) in metrics {
            let metric = try F.metric(type, params)
            for (second, hits) in [(same, pictures), (other, ends)] {
                let cache = CountingCache()
                let sharing = ModelContext(engine: plain.engine, labels: plain.labels, preprocess: plain.preprocess,
                                           targetLayer: nil, cache: cache)
                for (m, map) in [first, second].enumerated() {
                    var input = F.input(image, map: map, target: 1)
                    let alone = try metric.evaluate(input, model: plain)
                    (input.mapKey, input.imageKey) = ("map-\(m)", "image")
                    XCTAssertEqual(try metric.evaluate(input, model: sharing), alone, "\(type.kind) map \(m)")
                }
                XCTAssertEqual(cache.hits, hits, "\(type.kind): pictures of the second map found")
            }
        }
    }

    /// Deletion's middle picture at fraction 0.5 is the confidence metrics' picture with the
    /// top half of the pixels removed (same fill): the deletion task finds it, and the image.
    func testDeletionFindsTheConfidencePictureWithTheSamePixelsRemoved() throws {
        let plain = try F.context(F.convNet(size: 16))
        try XCTSkipUnless(plain.engine.scoresItemsAlike(batch: 3), "one core: the engine never micro-batches, nothing is shared")
        let cache = CountingCache()
        let sharing = ModelContext(engine: plain.engine, labels: plain.labels, preprocess: plain.preprocess,
                                   targetLayer: nil, cache: cache)
        var input = F.input(F.randomImage(size: 16, seed: 11), map: F.randomMap(seed: 1), target: 1)
        (input.mapKey, input.imageKey) = ("map", "image")
        _ = try F.metric(ConfidenceDrop.self, ["mode": .string("remove"), "fraction": .double(0.5)]).evaluate(input, model: sharing)
        let deletion = try F.metric(Deletion.self, ["steps": .int(2)])
        let before = cache.hits
        XCTAssertEqual(try deletion.evaluate(input, model: sharing), try deletion.evaluate(input, model: plain))
        XCTAssertEqual(cache.hits - before, 2, "the image and the top half removed")
    }

    func testPicturesOfOtherImagesAndFillsAreNotShared() {
        XCTAssertNil(SharedLogits.Picture.original.key(image: nil))
        let keys = [SharedLogits.Picture.original.key(image: "a"), SharedLogits.Picture.original.key(image: "b"),
                    SharedLogits.Picture.fill(.gray).key(image: "a"), SharedLogits.Picture.fill(.blur).key(image: "a")]
        XCTAssertEqual(Set(keys.compactMap { $0 }).count, 4)
        XCTAssertEqual(SharedLogits.mask([true, false, false, true, true]), "91")
        XCTAssertEqual(SharedLogits.mask([Bool]()), "")
        // compare-methods' deletion (19 pictures of 224 x 224) is named; 10,000 steps over 512 x 512 are not.
        XCTAssertTrue(SharedLogits.affordable(pictures: 19, flags: 224 * 224))
        XCTAssertFalse(SharedLogits.affordable(pictures: 10_000, flags: 512 * 512))
        XCTAssertFalse(SharedLogits.affordable(pictures: Int.max, flags: 8))
    }
}
