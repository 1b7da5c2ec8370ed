import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// DeconvNet against a hand-computed oracle, the engine's rule and guided backpropagation.
final class DeconvnetTests: XCTestCase {
    /// Every ReLU passes max(g, 0) whatever its forward input: on the MLP the attributions equal
    /// the hand rule, and differ from guided backprop exactly where a unit with a negative input
    /// receives a positive gradient (guided backprop blocks it, DeconvNet passes it).
    func testDeconvnetRectifiesTheBackwardSignalOnly() throws {
        var gen = SeededGenerator(seed: 9)
        let mlp = ReluMLP(&gen)
        let model = try TestModels.context(mlp.graph, targetLayer: nil)
        let deconvnet = try Deconvnet(params: ResolvedParams())
        let guided = try GuidedBackprop(params: ResolvedParams())
        var differingTrials = 0
        for trial in 0..<8 {
            let x = gen.tensor([1, 2, 2, 2], scale: 1.5)
            let target = trial % ReluMLP.k
            let input = ExplanationInput(image: RGBImage(width: 1, height: 1, color: (0, 0, 0)), input: x, target: target,
                                         seed: 1, contentKey: "mlp")
            var masksDiffer = false
            let oracle = mlp.inputGradient(x.data, target: target) { z, g in
                if z <= 0 && g > 0 { masksDiffer = true }
                return max(g, 0)
            }
            let a = try deconvnet.attributions(of: x, for: input, model: model).attributions
            let diff = maxDifference(a.data, oracle)
            let g = try guided.attributions(of: x, for: input, model: model).attributions
            let fromGuided = maxDifference(a.data, g.data)
            print("deconvnet trial \(trial): max diff to hand rule \(diff), to guided backprop \(fromGuided), masks differ: \(masksDiffer)")
            XCTAssertLessThan(diff, 1e-5)
            if masksDiffer {
                differingTrials += 1
                XCTAssertGreaterThan(fromGuided, 1e-3, "trial \(trial): the rules differ on this input, the maps must too")
            } else {
                XCTAssertLessThan(fromGuided, 1e-5, "trial \(trial): same masks, same map")
            }
        }
        XCTAssertGreaterThan(differingTrials, 0, "the trials never reached a unit the two rules treat differently")
    }

    /// The map is the engine's deconvnet gradient (through the fully retained forward pass, not the
    /// micro-batched one the method uses) reduced by `reduce`, bit for bit.
    func testMatchesTheEngineRule() throws {
        let graph = TestModels.convNet()
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 1)
        for reduce in ["max_abs", "sum_abs", "l2"] {
            let e = try Deconvnet(params: TestModels.params(Deconvnet.descriptor, ["reduce": .string(reduce)]))
                .explain(input, model: model)
            let engine = model.engine
            let acts = try engine.forward(input.input, retain: .all)
            var seed = Tensor(zeros: [1, engine.classCount])
            seed.data[1] = 1
            let g = try XCTUnwrap(try engine.gradients(acts, seeds: [engine.outputName: seed], wrt: [engine.graph.input],
                                                       rules: .deconvnet)[engine.graph.input])
            let expected = try XCTUnwrap(ChannelReduction(rawValue: reduce)).apply(g)
            let diff = maxDifference(e.map.data, expected.data)
            print("deconvnet \(reduce) vs engine rule: max diff \(diff)")
            XCTAssertEqual(diff, 0)
            XCTAssertEqual(e.map.shape, [8, 8])
        }
    }

    /// On EfficientNet-Lite0 (ReLU6 rectifiers) the map is finite, non-negative, dense and not
    /// flat, follows the engine rule, and is not guided backprop's.
    func testSensibleMapOnEmbeddedModel() throws {
        let model = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        let e = try Deconvnet(params: ResolvedParams()).explain(input, model: model)
        XCTAssertEqual(e.map.shape, [224, 224])
        let v = e.map.data
        XCTAssertTrue(v.allSatisfy { $0.isFinite && $0 >= 0 })
        let maxValue = try XCTUnwrap(v.max())
        let mean = v.reduce(0, +) / Float(v.count)
        let nonZero = Double(v.filter { $0 > 0 }.count) / Double(v.count)
        print("deconvnet on efficientnet-lite0: max \(maxValue), mean \(mean), non-zero share \(nonZero)")
        XCTAssertGreaterThan(maxValue, 2 * mean, "a flat map shows nothing")
        XCTAssertGreaterThan(nonZero, 0.5, "deconvnet passes gradient through every unit")
        let g = try TargetScore.inputGradients(engine: model.engine, input: input.input, target: input.target, rules: .deconvnet)
        XCTAssertEqual(maxDifference(v, ChannelReduction.maxAbs.apply(g).data), 0)
        let guided = try GuidedBackprop(params: ResolvedParams()).explain(input, model: model)
        let fromGuided = maxDifference(v, guided.map.data)
        print("deconvnet vs guided backprop on efficientnet-lite0: max diff \(fromGuided) (max \(maxValue))")
        XCTAssertGreaterThan(fromGuided, 1e-3 * maxValue)
    }
}
