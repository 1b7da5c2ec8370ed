import XCTest
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
@testable import XAIMetrics

final class ModelMetricTests: XCTestCase {
    typealias F = MetricFixtures

    func testFaithfulnessCorrelationRanksThePerfectMapFirst() throws {
        let model = try F.context(F.regionModel(weight: 3))
        let image = F.regionImage()
        let metric = try F.metric(FaithfulnessCorrelation.self, ["samples": .int(40), "subset_size": .int(64), "batch": .int(16)])
        let perfect = try metric.evaluate(F.input(image, map: F.perfectMap), model: model)
        let random = try metric.evaluate(F.input(image, map: F.randomMap(seed: 4)), model: model)
        print("faithfulness correlation: perfect \(perfect.value), random \(random.value)")
        XCTAssertGreaterThan(perfect.value, 0.9)
        XCTAssertLessThan(abs(random.value), 0.5)
        XCTAssertEqual(try metric.evaluate(F.input(image, map: F.perfectMap), model: model), perfect)
        // Subsets larger than the image use every pixel: all drops equal, no correlation.
        let all = try F.metric(FaithfulnessCorrelation.self, ["subset_size": .int(1000)]).evaluate(F.input(image, map: F.perfectMap), model: model)
        XCTAssertEqual(all.extra["subset_size"], 256)
        XCTAssertEqual(all.value, 0)
    }

    func testMaxSensitivityOfSaliencyOnALinearModelIsZero() throws {
        // The gradient of a linear model does not depend on the input: every noisy map is equal.
        let graph = F.linear()
        let model = try F.context(graph)
        let image = F.randomImage()
        let map = try MethodCatalogue.make(Saliency.kind).explain(
            ExplanationInput(image: image, input: F.preprocess.normalize(image), target: 1, seed: 42, contentKey: "t"), model: model).map
        let r = try F.metric(MaxSensitivity.self, ["samples": .int(3)]).evaluate(F.input(image, map: map, target: 1), model: model)
        print("max sensitivity, linear model: \(r.value)")
        XCTAssertEqual(r.value, 0, accuracy: 1e-6)
    }

    func testMaxSensitivityGrowsWithTheRadius() throws {
        let graph = F.convNet()
        let model = try F.context(graph)
        let image = F.randomImage()
        let map = try MethodCatalogue.make(Saliency.kind).explain(
            ExplanationInput(image: image, input: F.preprocess.normalize(image), target: 2, seed: 42, contentKey: "t"), model: model).map
        let input = F.input(image, map: map, target: 2)
        let small = try F.metric(MaxSensitivity.self, ["samples": .int(4), "radius": .double(0.001)]).evaluate(input, model: model)
        let large = try F.metric(MaxSensitivity.self, ["samples": .int(4), "radius": .double(0.3)]).evaluate(input, model: model)
        print("max sensitivity, convnet: radius 0.001 -> \(small.value), 0.3 -> \(large.value)")
        XCTAssertLessThan(small.value, large.value)
        XCTAssertEqual(try F.metric(MaxSensitivity.self, ["samples": .int(4), "radius": .double(0.3)]).evaluate(input, model: model), large)
    }

    func testSanityRandomizationOfSaliency() throws {
        let graph = F.linear(classes: 3, seed: 5)
        let model = try F.context(graph)
        let image = F.randomImage()
        let saliency = try MethodCatalogue.make(Saliency.kind)
        let map = try saliency.explain(
            ExplanationInput(image: image, input: F.preprocess.normalize(image), target: 0, seed: 42, contentKey: "t"), model: model).map
        let before = RandomizedEngines.shared.count
        let metric = try F.metric(SanityRandomization.self, ["layers": .int(1)])
        let r = try metric.evaluate(F.input(image, map: map), model: model)
        print("sanity randomisation, linear model: spearman \(r.value), abs \(r.extra["spearman_abs"]!)")
        // Re-initialised weights are independent of the trained ones: the maps decorrelate.
        XCTAssertLessThan(abs(r.value), 0.4)
        XCTAssertEqual(r.extra["layers_randomized"], 1)
        // The randomised engine is built once per (engine, layers, seed).
        let again = try metric.evaluate(F.input(F.randomImage(seed: 9), map: map), model: model)
        XCTAssertEqual(RandomizedEngines.shared.count, min(before + 1, RandomizedEngines.capacity))
        XCTAssertNotEqual(again.value, 2)
        XCTAssertEqual(try metric.evaluate(F.input(image, map: map), model: model), r)
        // The map against itself on the unrandomised engine is 1: checks the rerun path's plumbing.
        let rerun = try MethodRerun(F.input(image, map: map), metric: SanityRandomization.kind)
        let same = try rerun.map(image: image, input: F.input(image, map: map), engine: model.engine, model: model, key: "same")
        XCTAssertEqual(RankCorrelation.spearman(same.values, try AttributionMap(map, width: 8, height: 8, metric: Sparseness.kind).values), 1, accuracy: 1e-9)
    }

    func testRandomizedEngineRebuildsAPreparedGraph() throws {
        // The engine's graph is already prepared (BatchNormalization folded, ReLUs fused);
        // preparing it again with nothing randomised must give the same logits.
        var b = GraphBuilder(input: "image", shape: [3, 8, 8], seed: 3)
        let c1 = b.conv("image", inChannels: 3, outChannels: 4, kernel: 3, name: "conv1")
        let bn = b.batchNorm(c1, channels: 4, name: "bn1")
        let r1 = b.add(.relu, [bn], name: "relu1")
        let pool = b.add(.globalAveragePool, [r1], name: "gap")
        let flat = b.add(.flatten(axis: 1), [pool], name: "flatten")
        let w = b.random([3, 4], scale: 1)
        b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [flat, w], name: "fc", output: "logits")
        let engine = try Engine(graph: b.build(outputs: ["logits"]))
        let x = F.preprocess.normalize(F.randomImage())
        let same = try RandomizedEngines.shared.engine(for: engine, layers: 0, seed: 1)
        let d = try engine.logits(x).maxAbsDifference(try same.logits(x))
        print("re-prepared graph: max logit difference \(d)")
        XCTAssertLessThan(d, 1e-6)
        let randomized = try RandomizedEngines.shared.engine(for: engine, layers: 2, seed: 1)
        XCTAssertGreaterThan(try engine.logits(x).maxAbsDifference(try randomized.logits(x)), 1e-3)
        XCTAssertTrue(try RandomizedEngines.shared.engine(for: engine, layers: 2, seed: 1) === randomized)
    }

    func testSanityRandomizationOfGradCAMOnAConvNet() throws {
        let graph = F.convNet()
        let model = try F.context(graph, targetLayer: "features")
        let image = F.randomImage()
        let map = try MethodCatalogue.make(GradCAM.kind).explain(
            ExplanationInput(image: image, input: F.preprocess.normalize(image), target: 1, seed: 42, contentKey: "t"), model: model).map
        let r = try F.metric(SanityRandomization.self, ["layers": .int(3)]).evaluate(F.input(image, map: map, target: 1, method: GradCAM.kind), model: model)
        print("sanity randomisation, grad-cam, 3 layers: \(r.value)")
        XCTAssertTrue(r.value.isFinite && abs(r.value) <= 1)
        XCTAssertEqual(r.extra["layers_randomized"], 3)
    }
}
