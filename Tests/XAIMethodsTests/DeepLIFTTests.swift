import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// DeepLIFT and DeepSHAP against closed forms, summation-to-delta and the embedded model.
final class DeepLIFTTests: XCTestCase {
    func deeplift(_ given: [String: ParamValue] = [:]) throws -> DeepLIFT {
        try DeepLIFT(params: TestModels.params(DeepLIFT.descriptor, given))
    }

    func deepSHAP(_ given: [String: ParamValue] = [:]) throws -> DeepSHAP {
        try DeepSHAP(params: TestModels.params(DeepSHAP.descriptor, given))
    }

    /// On a linear model the multipliers are the weights: DeepLIFT is w * (x - x0) exactly, and
    /// the attributions add up to f(x) - f(x0).
    func testLinearModelEqualsWeightsTimesDifference() throws {
        let (graph, w) = TestModels.linear(size: 4, classes: 3)
        let model = try TestModels.context(graph, targetLayer: nil)
        let input = TestModels.input(TestModels.image(for: graph), target: 1)
        for baseline: ParamValue in [.string("black"), .double(0.3), .string("blur")] {
            let e = try deeplift(["baseline": baseline]).explain(input, model: model)
            let b = try XCTUnwrap(Baseline(baseline)).tensor(for: input, model: model, method: DeepLIFT.kind)
            let plane = 16
            let expected = (0..<plane).map { p in
                (0..<3).reduce(Float(0)) { $0 + w.data[48 + $1 * plane + p] * (input.input.data[$1 * plane + p] - b.data[$1 * plane + p]) }
            }
            let d = maxDifference(e.map.data, expected)
            print("deeplift \(baseline) on the linear model: max diff to w (x - x0) \(d), summation gap \(e.scalars["summation_gap"] ?? .nan)")
            XCTAssertLessThan(d, 1e-5)
            XCTAssertLessThan(e.scalars["summation_gap"] ?? .nan, 1e-4)
        }
    }

    /// DeepSHAP draws the baselines gradient_shap draws: on a linear model (and without input
    /// noise) both are exactly mean_s w * (x - b_s); their sums are f(x) - mean_s f(b_s).
    func testDeepSHAPOnALinearModelEqualsGradientSHAP() throws {
        let (graph, _) = TestModels.linear(size: 4, classes: 3)
        let model = try TestModels.context(graph, targetLayer: nil)
        let input = TestModels.input(TestModels.image(for: graph), target: 2, seed: 9)
        for baselines in ["uniform", "gaussian", "gray"] {
            let given: [String: ParamValue] = ["baselines": .string(baselines), "samples": .int(11), "batch": .int(4)]
            let shap = try deepSHAP(given).explain(input, model: model)
            let grad = try GradientSHAP(params: TestModels.params(GradientSHAP.descriptor, given)).explain(input, model: model)
            let d = maxDifference(shap.map.data, grad.map.data)
            print("deep_shap vs gradient_shap (\(baselines)) on the linear model: max diff \(d), summation gap \(shap.scalars["summation_gap"] ?? .nan)")
            XCTAssertLessThan(d, 1e-5)
            XCTAssertLessThan(shap.scalars["summation_gap"] ?? .nan, 1e-4)
            XCTAssertEqual(shap.scalars["baseline_score"] ?? .nan, grad.scalars["baseline_score"] ?? .nan, accuracy: 1e-5)
        }
    }

    /// On a ReLU CNN (rectifiers fused into the convs) and a tanh / sigmoid one, a DeepLIFT map
    /// adds up to f(x) - f(x0) (against the white baseline, far enough from the input that the
    /// change is well above the logits' float rounding); DeepSHAP is deterministic for a seed, independent of
    /// batching, and its mean adds up too. The map is not the gradient times the difference.
    func testSummationToDeltaOnSmallNetworks() throws {
        for graph in [TestModels.convNet(), TestModels.smoothNet()] {
            let model = try TestModels.context(graph)
            let input = TestModels.input(TestModels.image(for: graph), target: 1, seed: 4)
            let e = try deeplift(["baseline": .string("white")]).explain(input, model: model)
            let relative = e.scalars["relative_summation_gap"] ?? .nan
            XCTAssertGreaterThan(abs(e.scalars["score_difference"] ?? 0), 0.01, "a change the rounding of the logits does not hide")
            print("deeplift on \(graph.source): sum \(e.scalars["attribution_sum"] ?? .nan), delta \(e.scalars["score_difference"] ?? .nan), relative gap \(relative)")
            XCTAssertLessThan(relative, 1e-5)
            let a = try deepSHAP(["samples": .int(6), "batch": .int(6)]).explain(input, model: model)
            let b = try deepSHAP(["samples": .int(6), "batch": .int(4)]).explain(input, model: model)
            var other = input
            other.seed = 5
            let c = try deepSHAP(["samples": .int(6)]).explain(other, model: model)
            print("deep_shap on \(graph.source): summation gap \(a.scalars["summation_gap"] ?? .nan), batching diff \(maxDifference(a.map.data, b.map.data))")
            XCTAssertLessThan(a.scalars["relative_summation_gap"] ?? .nan, 1e-5)
            XCTAssertLessThan(a.scalars["sample_summation_gap"] ?? .nan, 1e-4)
            XCTAssertLessThan(maxDifference(a.map.data, b.map.data), 1e-5)
            XCTAssertGreaterThan(maxDifference(a.map.data, c.map.data), 1e-4)
        }
    }

    /// Summation-to-delta on the embedded EfficientNet-Lite0 (ReLU6 fused into its convs, residual
    /// additions, global average pooling): within 1e-4 of |f(x) - f(x0)| under both rules, whose
    /// maps differ.
    func testSummationToDeltaOnEmbeddedModel() throws {
        let model = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        var maps: [Tensor] = []
        for rule in DeepLiftRule.allCases {
            let e = try deeplift(["rule": .string(rule.rawValue)]).explain(input, model: model)
            let relative = e.scalars["relative_summation_gap"] ?? .nan
            print("efficientnet-lite0 deeplift \(rule.rawValue) (black baseline): sum \(e.scalars["attribution_sum"] ?? .nan), f(x) - f(x0) \(e.scalars["score_difference"] ?? .nan), relative gap \(relative)")
            XCTAssertLessThan(relative, 1e-4, rule.rawValue)
            XCTAssertEqual(e.map.shape, [224, 224])
            maps.append(e.map)
        }
        let scale = maps[0].data.map(abs).max() ?? 0
        print("efficientnet-lite0 deeplift: max |reveal_cancel - rescale| \(maxDifference(maps[0].data, maps[1].data)) (max |rescale| \(scale))")
        XCTAssertGreaterThan(maxDifference(maps[0].data, maps[1].data), 1e-3 * scale, "the rules give different maps")
    }

    /// deep_shap and deeplift take the rule too: reveal-cancel on a ReLU CNN (rectifiers fused
    /// into the convs) and on the tanh / sigmoid network (activations in steps of their own after
    /// the convs) adds up, per sample too, and differs from rescale.
    func testRevealCancelOnSmallNetworks() throws {
        for graph in [TestModels.convNet(), TestModels.smoothNet()] {
            let model = try TestModels.context(graph)
            let input = TestModels.input(TestModels.image(for: graph), target: 1, seed: 4)
            let rc = try deepSHAP(["samples": .int(4), "rule": .string("reveal_cancel")]).explain(input, model: model)
            let rescale = try deepSHAP(["samples": .int(4)]).explain(input, model: model)
            print("deep_shap reveal_cancel on \(graph.source): relative gap \(rc.scalars["relative_summation_gap"] ?? .nan), max diff to rescale \(maxDifference(rc.map.data, rescale.map.data))")
            XCTAssertLessThan(rc.scalars["relative_summation_gap"] ?? .nan, 1e-5)
            XCTAssertLessThan(rc.scalars["sample_summation_gap"] ?? .nan, 1e-4)
            XCTAssertGreaterThan(maxDifference(rc.map.data, rescale.map.data), 1e-5)
            let e = try deeplift(["baseline": .string("white"), "rule": .string("reveal_cancel")]).explain(input, model: model)
            print("deeplift reveal_cancel on \(graph.source): relative gap \(e.scalars["relative_summation_gap"] ?? .nan)")
            XCTAssertLessThan(e.scalars["relative_summation_gap"] ?? .nan, 1e-5)
        }
    }

    func testParametersAndTraits() throws {
        XCTAssertThrowsError(try deeplift(["baseline": .string("purple")]))
        XCTAssertThrowsError(try deeplift(["rule": .string("revealcancel")]))
        XCTAssertEqual(try deeplift().rule, .rescale)
        XCTAssertThrowsError(try deepSHAP(["samples": .int(0)]))
        XCTAssertFalse(DeepLIFT.descriptor.slow)
        XCTAssertTrue(DeepSHAP.descriptor.slow)
    }
}
