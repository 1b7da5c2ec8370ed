import XCTest
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
@testable import XAIMetrics
import XAITestSupport

final class ConfidenceTests: XCTestCase {
    typealias F = MetricFixtures

    /// Region at pixel 1 -> normalised 2 -> logit 2: Y = sigmoid(2). Gray fill -> logit 0 -> 0.5.
    func testKeepAndRemoveWithHandComputedProbabilities() throws {
        let model = try F.context(F.regionModel())
        let input = F.input(F.regionImage(regionValue: 1), map: F.perfectMap)
        let y = F.sigmoid(2)
        // remove the top 36/256 (the region): O = 0.5; drop = (Y - 0.5) / Y x 100 = 43.233...
        let remove = try F.metric(ConfidenceDrop.self, ["mode": .string("remove"), "fraction": .double(36.0 / 256)]).evaluate(input, model: model)
        print("remove: drop \(remove.value), want \((y - 0.5) / y * 100)")
        XCTAssertEqual(remove.extra["y"]!, y, accuracy: 1e-6)
        XCTAssertEqual(remove.extra["o"]!, 0.5, accuracy: 1e-6)
        XCTAssertEqual(remove.value, (y - 0.5) / y * 100, accuracy: 1e-4)
        XCTAssertEqual(remove.value, 43.2331, accuracy: 1e-3)
        XCTAssertEqual(remove.extra["subject_occluded"]!, remove.value, accuracy: 1e-12)
        // keep only the region: the background does not matter, O = Y, no drop, no increase.
        XCTAssertEqual(remove.extra["background_occluded"]!, 0, accuracy: 1e-3)
        let keep = try F.metric(ConfidenceIncrease.self, ["mode": .string("keep"), "fraction": .double(36.0 / 256)]).evaluate(input, model: model)
        XCTAssertEqual(keep.extra["o"]!, y, accuracy: 1e-6)
        XCTAssertEqual(keep.value, 0)
    }

    func testIncreaseWhenTheRegionArguesAgainstTheTarget() throws {
        // Region at pixel 0 -> logit -2: Y = sigmoid(-2) = 0.119; graying it raises P to 0.5.
        let model = try F.context(F.regionModel())
        let input = F.input(F.regionImage(regionValue: 0), map: F.perfectMap)
        let params: [String: ParamValue] = ["mode": .string("remove"), "fraction": .double(0.2)]
        let inc = try F.metric(ConfidenceIncrease.self, params).evaluate(input, model: model)
        let drop = try F.metric(ConfidenceDrop.self, params).evaluate(input, model: model)
        XCTAssertEqual(inc.value, 100)
        XCTAssertEqual(drop.value, 0)
        XCTAssertEqual(inc.extra["y"]!, F.sigmoid(-2), accuracy: 1e-6)
        XCTAssertEqual(inc.extra["o"]!, 0.5, accuracy: 1e-6)
    }

    func testMultiplyBlendsTowardsTheFill() throws {
        // Map: region 0.5, one outside pixel 1, the rest 0 -> min-max weights 0.5 on the region.
        // Region pixels become fill + 0.5 (image - fill); with black fill 0.5 x 1 = 0.5 -> logit 0;
        // with the default gray fill 0.5 + 0.5 x 0.5 = 0.75 -> normalised 1 -> logit 1.
        let model = try F.context(F.regionModel())
        var data = (0..<256).map { F.inRegion($0) ? Float(0.5) : 0 }
        data[0] = 1
        let input = F.input(F.regionImage(regionValue: 1), map: Tensor(shape: [16, 16], data: data))
        let y = F.sigmoid(2)
        let gray = try F.metric(ConfidenceDrop.self).evaluate(input, model: model)
        XCTAssertEqual(gray.extra["o"]!, F.sigmoid(1), accuracy: 1e-6)
        XCTAssertEqual(gray.value, (y - F.sigmoid(1)) / y * 100, accuracy: 1e-4)
        let black = try F.metric(ConfidenceDrop.self, ["value": .string("black")]).evaluate(input, model: model)
        XCTAssertEqual(black.extra["o"]!, 0.5, accuracy: 1e-6)
        let number = try F.metric(ConfidenceDrop.self, ["value": .double(0)]).evaluate(input, model: model)
        XCTAssertEqual(number, black)
    }
}

/// The four confidence metrics of one map score the same three pictures; with a map key and an
/// intermediate cache the model sees them once, and every value is bit for bit the one each
/// metric computes alone.
final class SharedConfidenceTests: XCTestCase {
    typealias F = MetricFixtures

    private let variants: [(any Metric.Type, String)] = [
        (ConfidenceDrop.self, "keep"), (ConfidenceIncrease.self, "keep"),
        (ConfidenceDrop.self, "remove"), (ConfidenceIncrease.self, "remove"),
    ]

    private func results(cache: CountingCache?, mapKey: String?, graph: Graph = F.convNet(size: 16), target: Int = 1)
        throws -> [MetricResult] {
        let engine = try Engine(graph: graph)
        let model = ModelContext(engine: engine, labels: (0..<engine.classCount).map { "class \($0)" },
                                 preprocess: F.preprocess, targetLayer: nil, cache: cache)
        var input = F.input(F.randomImage(size: 16, seed: 5), map: F.randomMap(seed: 9), target: target)
        input.mapKey = mapKey
        return try variants.map { type, mode in
            try F.metric(type, ["mode": .string(mode), "fraction": .double(0.3)]).evaluate(input, model: model)
        }
    }

    func testSharedPicturesGiveTheValuesOfTheUnsharedPath() throws {
        try XCTSkipUnless(try Engine(graph: F.convNet(size: 16)).scoresItemsAlike(batch: 3),
                          "one core: the engine never micro-batches, nothing is shared")
        let alone = try results(cache: nil, mapKey: nil)
        let cache = CountingCache()
        let shared = try results(cache: cache, mapKey: "explanation-entry")
        for (a, s) in zip(alone, shared) {
            let diff = ([a.value - s.value] + a.extra.map { $0.value - (s.extra[$0.key] ?? .nan) }).map(abs).max()!
            print("shared vs alone: max difference \(diff)")
            XCTAssertEqual(a, s)
        }
        XCTAssertEqual(cache.stores, 1, "the first metric computes the pictures")
        XCTAssertEqual(cache.hits, 3, "the other three reuse them")
        // Another target reads the same logits: the pictures do not depend on it.
        let otherTarget = try results(cache: cache, mapKey: "explanation-entry", target: 2)
        XCTAssertEqual(cache.stores, 1)
        XCTAssertEqual(otherTarget, try results(cache: nil, mapKey: nil, target: 2))
    }

    func testOtherFractionsAndMapsDoNotShare() throws {
        let cache = CountingCache()
        _ = try results(cache: cache, mapKey: "map-a")
        _ = try results(cache: cache, mapKey: "map-b")
        XCTAssertEqual(cache.stores, 2)
        XCTAssertEqual(cache.hits, 6)
        let engine = try Engine(graph: F.convNet(size: 16))
        let model = ModelContext(engine: engine, labels: [], preprocess: F.preprocess, targetLayer: nil, cache: cache)
        var input = F.input(F.randomImage(size: 16, seed: 5), map: F.randomMap(seed: 9), target: 1)
        input.mapKey = "map-a"
        _ = try F.metric(ConfidenceDrop.self, ["mode": .string("keep"), "fraction": .double(0.6)]).evaluate(input, model: model)
        XCTAssertEqual(cache.stores, 3, "another fraction makes other pictures")
    }

    func testACachedTensorOfTheWrongShapeIsRecomputed() throws {
        let cache = CountingCache()
        _ = try results(cache: cache, mapKey: "map")
        let key = try XCTUnwrap(cache.keys.first)
        cache.plant(key, Tensor(shape: [2, 4], data: [Float](repeating: 0, count: 8)))
        let again = try results(cache: cache, mapKey: "map")
        XCTAssertEqual(again, try results(cache: nil, mapKey: nil))
        XCTAssertEqual(cache.stores, 2, "the damaged result was replaced")
    }
}
