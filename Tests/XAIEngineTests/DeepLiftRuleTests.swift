import XCTest
import XAICore
@testable import XAIEngine

/// The DeepLIFT rules (`BackwardRules.deepLift`) against hand-computed multipliers and the
/// summation-to-delta property.
final class DeepLiftRuleTests: XCTestCase {
    /// Multipliers of the summed outputs (weighted by `seed`) w.r.t. the graph input, and the
    /// change of that weighted sum between the two passes.
    private func multipliers(_ graph: Graph, _ x: Tensor, _ x0: Tensor, seed: [Float]? = nil) throws
        -> (m: Tensor, delta: Double, engine: Engine) {
        let e = try Engine(graph: graph)
        let a = try e.forward(x, retain: .allWithPreActivations)
        let r = try e.forward(x0, retain: .allWithPreActivations)
        let s = Tensor(shape: a.output.shape, data: seed ?? [Float](repeating: 1, count: a.output.count))
        let m = try XCTUnwrap(try e.gradients(a, seeds: [e.outputName: s], wrt: [graph.input], rules: .deepLift(reference: r))[graph.input])
        let delta = (0..<s.count).reduce(0.0) { $0 + Double(s.data[$1]) * Double(a.output.data[$1] - r.output.data[$1]) }
        return (m, delta, e)
    }

    private func contributionSum(_ m: Tensor, _ x: Tensor, _ x0: Tensor) -> Double {
        (0..<m.count).reduce(0.0) { $0 + Double(m.data[$1]) * Double(x.data[$1] - x0.data[$1]) }
    }

    /// y = w2 . relu(W1 x + b1) with x = (2, 1), x0 = 0: pre-activations h = (1, 4, -1),
    /// h0 = (0, -1, 0.5); rescale multipliers 1, 4/5, (0 - 0.5)/(-1 - 0.5) = 1/3; times
    /// w2 = (1, 2, 3): (1, 1.6, 1); through W1^T: (3.2, 1.1). The gradient would be (5, 1).
    /// The same with the first layer as a 1x1 conv, whose ReLU the engine fuses into it.
    func testRescaleMultipliersOfAOneReluNetwork() throws {
        let w1 = Tensor(shape: [3, 2], data: [1, -1, 2, 1, -1, 0.5]), b1 = Tensor(shape: [3], data: [0, -1, 0.5])
        let w2 = Tensor(shape: [1, 3], data: [1, 2, 3])
        var dense = GraphBuilder(shape: [2])
        let h = dense.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [dense.input, dense.constant(w1), dense.constant(b1)])
        let r = dense.add(.relu, [h])
        let y = dense.add(.gemm(alpha: 1, beta: 0, transA: false, transB: true), [r, dense.constant(w2)], output: "y")
        var conv = GraphBuilder(shape: [2, 1, 1])
        let c = conv.add(.conv(Conv2D(kernel: (1, 1))), [conv.input, conv.constant(w1.reshaped([3, 2, 1, 1])), conv.constant(b1)])
        let cr = conv.add(.relu, [c])
        let flat = conv.add(.flatten(axis: 1), [cr])
        let cy = conv.add(.gemm(alpha: 1, beta: 0, transA: false, transB: true), [flat, conv.constant(w2)], output: "y")
        for (graph, shape) in [(dense.build(outputs: [y]), [1, 2]), (conv.build(outputs: [cy]), [1, 2, 1, 1])] {
            let x = Tensor(shape: shape, data: [2, 1]), x0 = Tensor(zeros: shape)
            let (m, delta, e) = try multipliers(graph, x, x0)
            let d = m.maxAbsDifference(Tensor(shape: m.shape, data: [3.2, 1.1]))
            print("deeplift one-ReLU network (\(shape.count == 4 ? "fused conv" : "gemm")): multipliers \(m.data), max diff to hand \(d)")
            XCTAssertLessThan(d, 1e-6)
            XCTAssertEqual(delta, 7.5, accuracy: 1e-6, "f(x) = 9, f(x0) = 1.5")
            XCTAssertEqual(contributionSum(m, x, x0), 7.5, accuracy: 1e-5)
            if shape.count == 4 { XCTAssertNil(e.shape(of: c), "the ReLU is fused into the conv") }
        }
    }

    /// A 2x2 max pool with x = (1, 3, 2, 0) and x0 = (4, 0, 0, 0): y = 3 at x's element 1,
    /// y0 = 4 at x0's element 0. As in Captum, (max(y, y0) - y0) = 0 goes to element 1 and
    /// (y - max(y, y0)) = -1 to element 0, divided by x - x0 = -3: multipliers (1/3, 0, 0, 0),
    /// and 1/3 * -3 = y - y0.
    func testMaxPoolMultipliersFollowCaptum() throws {
        let graph = singleOpGraph(.maxPool(Pool2D(kernel: (2, 2), stride: (2, 2))), item: [1, 2, 2])
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, 3, 2, 0]), x0 = Tensor(shape: [1, 1, 2, 2], data: [4, 0, 0, 0])
        let (m, delta, _) = try multipliers(graph, x, x0)
        print("deeplift max pool: multipliers \(m.data)")
        XCTAssertLessThan(m.maxAbsDifference(Tensor(shape: m.shape, data: [1.0 / 3, 0, 0, 0])), 1e-7)
        XCTAssertEqual(delta, -1)
        XCTAssertEqual(contributionSum(m, x, x0), -1, accuracy: 1e-6)
    }

    /// Conv -> max pool -> activation -> conv -> activation (fused when a rectifier) -> global
    /// average pool -> Gemm, for every activation: the contributions add up to the change of
    /// the (randomly weighted) logits. The kept pre-activations do not change the forward pass.
    func testSummationToDeltaForEveryActivation() throws {
        let acts: [Op] = [.relu, .clip(min: -0.3, max: 0.6), .leakyRelu(alpha: 0.1), .sigmoid, .tanh, .hardSwish,
                          .hardSigmoid(alpha: 0.2, beta: 0.5)]
        for (k, act) in acts.enumerated() {
            var b = GraphBuilder(shape: [2, 8, 8], seed: 40 + UInt64(k))
            let c1 = b.conv(b.input, inChannels: 2, outChannels: 4, kernel: 3)
            let p = b.add(.maxPool(Pool2D(kernel: (2, 2), stride: (2, 2))), [c1])
            let a1 = b.add(act, [p])
            let c2 = b.conv(a1, inChannels: 4, outChannels: 3, kernel: 3)
            let a2 = b.add(act, [c2])
            let g = b.add(.globalAveragePool, [a2])
            let f = b.add(.flatten(axis: 1), [g])
            let y = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [f, b.random([5, 3], scale: 2), b.random([5], scale: 1)], output: "y")
            let graph = b.build(outputs: [y])
            let x = randomTensor([2, 2, 8, 8], seed: 60 + UInt64(k), scale: 2)
            let x0 = randomTensor([2, 2, 8, 8], seed: 80 + UInt64(k), scale: 0.5)
            let seed = randomTensor([2, 5], seed: 90, scale: 1).data
            let (m, delta, e) = try multipliers(graph, x, x0, seed: seed)
            let sum = contributionSum(m, x, x0)
            let relative = abs(sum - delta) / abs(delta)
            print("deeplift summation-to-delta with \(act): sum \(sum), delta \(delta), relative gap \(relative)")
            XCTAssertLessThan(relative, 1e-5, "\(act)")
            let plain = try e.forward(x, retain: .all).output
            XCTAssertEqual(try e.forward(x, retain: .allWithPreActivations).output.maxAbsDifference(plain), 0, "\(act)")
            let grads = try e.gradients(try e.forward(x, retain: .all), seeds: [e.outputName: Tensor(shape: [2, 5], data: seed)], wrt: [graph.input])
            XCTAssertGreaterThan(try XCTUnwrap(grads[graph.input]).maxAbsDifference(m), 1e-3, "multipliers are not the gradient (\(act))")
        }
    }

    /// The rules need both passes with the pre-activations; a pass without them is an error
    /// that says how to run it.
    func testMissingPreActivationsAreAnError() throws {
        var b = GraphBuilder(shape: [2, 4, 4])
        let c = b.conv(b.input, inChannels: 2, outChannels: 2, kernel: 3)
        let r = b.add(.relu, [c])
        let y = b.add(.globalAveragePool, [r], output: "y")
        let e = try Engine(graph: b.build(outputs: [y]))
        let x = randomTensor([1, 2, 4, 4], seed: 1)
        let reference = try e.forward(Tensor(zeros: x.shape), retain: .all)
        let seed = Tensor(shape: [1, 2, 1, 1], data: [1, 1])
        XCTAssertThrowsError(try e.gradients(try e.forward(x, retain: .allWithPreActivations), seeds: ["y": seed], wrt: [e.graph.input],
                                             rules: .deepLift(reference: reference))) { error in
            XCTAssertTrue("\(error)".contains("allWithPreActivations"), "\(error)")
        }
    }
}
