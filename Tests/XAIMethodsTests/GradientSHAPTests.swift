import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods

/// Gradient SHAP against closed forms on models whose gradient is constant.
final class GradientSHAPTests: XCTestCase {
    func make(_ given: [String: ParamValue]) throws -> GradientSHAP {
        try GradientSHAP(params: TestModels.params(GradientSHAP.descriptor, given))
    }

    /// The signed channel sum of `a` [C * H * W] for an [H, W] map.
    func channelSum(_ a: [Double], channels c: Int) -> [Float] {
        let plane = a.count / c
        return (0..<plane).map { p in Float((0..<c).reduce(0.0) { $0 + a[$1 * plane + p] }) }
    }

    /// On a linear model every gradient is w, so the attribution is exactly
    /// mean_s w * (x_s - b_s) for the drawn baselines and noisy inputs (the alphas drop out),
    /// whatever the distribution; without noise and with a fixed baseline it is w * (x - b).
    func testLinearModelEqualsTheClosedFormForTheDraws() throws {
        let (graph, w) = TestModels.linear(size: 4, classes: 3)
        let model = try TestModels.context(graph, targetLayer: nil)
        let input = TestModels.input(TestModels.image(for: graph), target: 2, seed: 5)
        let d = 3 * 16
        for (baselines, stdevs) in [("black", 0.0), ("uniform", 0.0), ("gaussian", 0.3), ("blur", 0.5)] {
            let samples = 37
            let method = try make(["baselines": .string(baselines), "samples": .int(samples), "stdevs": .double(stdevs),
                                   "batch": .int(8)])
            let e = try method.explain(input, model: model)
            let sampler = try BaselineDistribution.Sampler(method.distribution, input: input, model: model,
                                                           stdevs: Float(stdevs), method: GradientSHAP.kind)
            let draws = sampler.draws(0..<samples)
            var expected = [Double](repeating: 0, count: d)
            for s in 0..<samples {
                for i in 0..<d {
                    let diff = Double(draws.inputs.data[s * d + i]) - Double(draws.baselines.data[s * d + i])
                    expected[i] += Double(w.data[2 * d + i]) * diff / Double(samples)
                }
            }
            let diff = maxDifference(e.map.data, channelSum(expected, channels: 3))
            let gap = e.scalars["completeness_gap"] ?? .nan
            print("gradient_shap \(baselines) stdevs \(stdevs) on the linear model: max diff to the closed form \(diff), completeness gap \(gap)")
            XCTAssertLessThan(diff, 1e-4)
            if stdevs == 0 { XCTAssertLessThan(gap, 1e-4, "sum w (x - b_s) / S = f(x) - mean f(b_s) exactly") }
        }
    }

    /// The draws follow the distribution: with uniform baselines the attribution converges to
    /// w * (x - E[b]), E[b] being the normalised mid-gray image; the mean over many draws is
    /// within a few standard errors (each baseline pixel has variance 1/12 before normalisation).
    func testLinearModelConvergesToTheExpectedBaseline() throws {
        let (graph, w) = TestModels.linear(size: 4, classes: 2)
        let model = try TestModels.context(graph, targetLayer: nil)
        let input = TestModels.input(TestModels.image(for: graph), target: 1, seed: 8)
        let samples = 4000
        let e = try make(["samples": .int(samples), "batch": .int(500)]).explain(input, model: model)
        let mid = model.normalize(RGBImage(width: 4, height: 4, color: (0.5, 0.5, 0.5)).tensor)
        let d = 48
        let exact = (0..<d).map { Double(w.data[d + $0]) * Double(input.input.data[$0] - mid.data[$0]) }
        let expected = channelSum(exact, channels: 3)
        let std = TestModels.preprocess.std[0]
        for p in 0..<16 {
            // Three channels, each w * b with sd |w| / (std * sqrt(12)), averaged over the draws.
            let sd = (0..<3).reduce(0.0) { $0 + pow(Double(w.data[d + $1 * 16 + p]) / Double(std), 2) / 12 }.squareRoot()
                / Double(samples).squareRoot()
            XCTAssertEqual(Double(e.map.data[p]), Double(expected[p]), accuracy: 5 * sd, "pixel \(p)")
        }
    }

    /// A seed fixes every draw; batching does not change the result; another seed does.
    func testDeterministicForASeedAndIndependentOfBatching() throws {
        let graph = TestModels.convNet()
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 1, seed: 3)
        let given: [String: ParamValue] = ["samples": .int(20), "stdevs": .double(0.2)]
        let a = try make(given.merging(["batch": .int(16)]) { $1 }).explain(input, model: model)
        let b = try make(given.merging(["batch": .int(3)]) { $1 }).explain(input, model: model)
        var other = input
        other.seed = 4
        let c = try make(given).explain(other, model: model)
        let batching = maxDifference(a.map.data, b.map.data), seeds = maxDifference(a.map.data, c.map.data)
        print("gradient_shap batch 16 vs 3: max diff \(batching); seed 3 vs 4: \(seeds)")
        XCTAssertLessThan(batching, 1e-5)
        XCTAssertGreaterThan(seeds, 1e-3)
    }

    /// At the last feature map of the small CNN the rest of the network (global average pool,
    /// linear layer) is linear: the layer attribution is fc.W[target] / (h w) * (L(x) - mean L(b_s))
    /// exactly, the map is its channel mean upsampled, and completeness holds.
    func testLayerAttributionOnALinearHead() throws {
        let graph = TestModels.convNet(size: 8, channels: 6, classes: 4)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 3, seed: 2)
        let samples = 9
        let method = try make(["samples": .int(samples), "layer": .string(TestModels.featureLayer), "batch": .int(4)])
        let e = try method.explain(input, model: model)
        let sampler = try BaselineDistribution.Sampler(method.distribution, input: input, model: model, stdevs: 0,
                                                       method: GradientSHAP.kind)
        let draws = sampler.draws(0..<samples)
        let engine = model.engine
        let lx = try XCTUnwrap(try engine.forward(input.input, retain: .outputsAnd([TestModels.featureLayer]))[TestModels.featureLayer])
        let lb = try XCTUnwrap(try engine.forward(draws.baselines, retain: .outputsAnd([TestModels.featureLayer]))[TestModels.featureLayer])
        let fcW = try XCTUnwrap(graph.constants["fc.W"])
        let (c, plane) = (6, 64)
        var low = [Float](repeating: 0, count: plane)
        for ch in 0..<c {
            let g = Double(fcW.data[3 * c + ch]) / Double(plane)
            for p in 0..<plane {
                let meanB = (0..<samples).reduce(0.0) { $0 + Double(lb.data[$1 * c * plane + ch * plane + p]) } / Double(samples)
                low[p] += Float(g * (Double(lx.data[ch * plane + p]) - meanB) / Double(c))
            }
        }
        let lowRes = try XCTUnwrap(e.lowResolution)
        let diff = maxDifference(lowRes.data, low)
        print("gradient_shap at '\(TestModels.featureLayer)': max diff to the closed form \(diff), completeness gap \(e.scalars["completeness_gap"] ?? .nan)")
        XCTAssertLessThan(diff, 1e-5)
        XCTAssertEqual(lowRes.shape, [8, 8])
        XCTAssertEqual(maxDifference(e.map.data, MapResize.bilinear(lowRes.data, h: 8, w: 8, toH: 8, toW: 8)), 0)
        XCTAssertLessThan(e.scalars["completeness_gap"] ?? .nan, 1e-4)
        XCTAssertEqual(GradientSHAP.descriptor.layerParameter(TestModels.params(GradientSHAP.descriptor, ["layer": .string("features")])), "layer")
        XCTAssertNil(GradientSHAP.descriptor.layerParameter(TestModels.params(GradientSHAP.descriptor)))
    }

    /// A tensor inside a residual branch does not separate the input from the logits: a clear
    /// error, not a wrong map. `reduce` does not apply to layer maps, so setting both is an error.
    func testLayerThatIsNotACutIsAnError() throws {
        var b = GraphBuilder(input: "image", shape: [3, 8, 8], seed: 4)
        let c1 = b.conv("image", inChannels: 3, outChannels: 4, kernel: 3, name: "conv1", output: "conv1")
        let r1 = b.add(.relu, [c1], name: "relu1", output: "trunk")
        let c2 = b.conv(r1, inChannels: 4, outChannels: 4, kernel: 3, name: "conv2", output: "branch")
        let sum = b.add(.add, [r1, c2], name: "skip", output: "sum")
        let pool = b.add(.globalAveragePool, [sum], name: "gap")
        let flat = b.add(.flatten(axis: 1), [pool], name: "flatten")
        let w = b.random([2, 4], scale: 1)
        b.add(.gemm(alpha: 1, beta: 0, transA: false, transB: true), [flat, w], name: "fc", output: "logits")
        let graph = b.build(outputs: ["logits"])
        let model = try TestModels.context(graph, targetLayer: nil)
        let input = TestModels.input(TestModels.image(for: graph), target: 0)
        XCTAssertThrowsError(try make(["layer": .string("branch"), "samples": .int(2)]).explain(input, model: model)) { e in
            guard case let MethodError.unsuitableModel(_, detail) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(detail.contains("does not separate"), detail)
        }
        XCTAssertNoThrow(try make(["layer": .string("trunk"), "samples": .int(2)]).explain(input, model: model))
        XCTAssertThrowsError(try make(["layer": .string("trunk"), "reduce": .string("max_abs")]))
    }
}
