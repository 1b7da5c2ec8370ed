import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
@testable import XAIMetrics
import XAITestSupport

/// The `precision` parameter of the curve metrics (deletion, insertion, ROAD, AOPC): bf16 curves
/// follow the fp32 ones on the embedded Lite0, a CPU without bf16 gives the fp32 values and
/// records it, and bf16 scores of shared pictures never mix with fp32 ones.
final class MetricPrecisionTests: XCTestCase {
    typealias F = MetricFixtures

    static let metrics: [(any Metric.Type, [String: ParamValue])] = [
        (Deletion.self, ["steps": .int(8)]), (Insertion.self, ["steps": .int(8)]),
        (ROAD.self, ["fractions": .list([.double(0.25), .double(0.5), .double(0.75)])]),
        (AOPC.self, ["region": .int(56), "steps": .int(8)]),
    ]

    private func evaluate(_ i: Int, _ precision: Precision, _ input: MetricInput, _ model: ModelContext) throws -> MetricResult {
        var given = Self.metrics[i].1
        given["precision"] = .string(precision.rawValue)
        return try F.metric(Self.metrics[i].0, given).evaluate(input, model: model)
    }

    func testCurveMetricsDeclarePrecision() {
        for (m, _) in Self.metrics {
            XCTAssertEqual(m.descriptor.parameters.first { $0.name == "precision" }?.defaultValue, .string("fp32"),
                           m.kind.rawValue)
        }
    }

    func testBF16CurvesFollowFP32OnLite0() throws {
        #if DEBUG
        throw XCTSkip("run in release: swift test -c release -Xswiftc -enable-testing")
        #endif
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
        let model = try EmbeddedModel.context()
        let image = EmbeddedModel.image()
        let x = model.preprocess.normalize(image)
        let logits = try model.engine.logits(x)
        let target = logits.data.indices.max { logits.data[$0] < logits.data[$1] }!
        // A map that ranks the picture's bright blob first, as a good explanation would.
        let map = Tensor(shape: [224, 224], data: (0..<(224 * 224)).map { i in image.pixels[i] + image.pixels[224 * 224 + i] })
        let input = MetricInput(image: image, input: x, map: map, signed: false, target: target, seed: 5,
                                method: Saliency.kind, methodParams: ResolvedParams())
        for i in Self.metrics.indices {
            let fp32 = try evaluate(i, .fp32, input, model), bf16 = try evaluate(i, .bf16, input, model)
            let curve = zip(fp32.y ?? [], bf16.y ?? []).map { abs($0 - $1) }.max() ?? 0
            print("\(Self.metrics[i].0.kind.rawValue) on Lite0, bf16 against fp32: value \(bf16.value) vs \(fp32.value) "
                  + "(difference \(abs(bf16.value - fp32.value))), largest curve difference \(curve)")
            XCTAssertEqual(bf16.value, fp32.value, accuracy: 0.02)
            XCTAssertLessThan(curve, 0.05)
            XCTAssertEqual(bf16.extra[PrecisionOption.scalar], 1)
            XCTAssertNil(fp32.extra[PrecisionOption.scalar])
        }
    }

    func testFallbackGivesFP32ValuesAndRecordsIt() throws {
        let model = try F.context(F.convNet(size: 16))
        let input = F.input(F.randomImage(size: 16, seed: 4), map: F.randomMap(seed: 2), target: 1)
        setenv(Precision.unavailableVariable, "1", 1)
        defer { unsetenv(Precision.unavailableVariable) }
        for i in Self.metrics.indices {
            let fp32 = try evaluate(i, .fp32, input, model), fallback = try evaluate(i, .bf16, input, model)
            XCTAssertEqual(fallback.value, fp32.value, Self.metrics[i].0.kind.rawValue)
            XCTAssertEqual(fallback.y, fp32.y)
            XCTAssertEqual(fallback.extra[PrecisionOption.scalar], 0)
        }
    }

    /// A bf16 curve shares no pictures: it neither reads the fp32 curve's logits of the image
    /// nor stores its own (bf16 logits depend on where a picture stands in its micro-batch, so
    /// shared ones would make results depend on the order the tasks ran in).
    func testBF16CurvesShareNoPictures() throws {
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
        let plain = try F.context(F.convNet(size: 16, channels: 16))
        try XCTSkipUnless(plain.engine.scoresItemsAlike(batch: 4), "one core: the engine never micro-batches, nothing is shared")
        let cache = CountingCache()
        let model = ModelContext(engine: plain.engine, labels: plain.labels, preprocess: plain.preprocess,
                                 targetLayer: nil, cache: cache)
        var input = F.input(F.randomImage(size: 16, seed: 4), map: F.randomMap(seed: 2), target: 1)
        input.imageKey = "image"
        let deletion = Self.metrics.firstIndex { $0.0.kind == Deletion.kind }!
        _ = try evaluate(deletion, .fp32, input, model)
        let fp32Stores = cache.stores
        XCTAssertGreaterThan(fp32Stores, 0)
        let alone = try evaluate(deletion, .bf16, input, plain)
        XCTAssertEqual(try evaluate(deletion, .bf16, input, model), alone)
        XCTAssertEqual(try evaluate(deletion, .bf16, input, model), alone)
        XCTAssertEqual(cache.hits, 0, "bf16 must take no pictures")
        XCTAssertEqual(cache.stores, fp32Stores, "bf16 must store no pictures")
    }
}
