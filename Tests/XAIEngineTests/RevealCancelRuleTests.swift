import XCTest
import XAICore
@testable import XAIEngine

/// DeepLIFT's reveal-cancel rule (`BackwardRules.deepLift(rule: .revealCancel)`, Shrikumar et
/// al. 2017, 3.5.3) against hand-computed attributions, summation-to-delta, and its refusals.
final class RevealCancelRuleTests: XCTestCase {
    private func multipliers(_ graph: Graph, _ x: Tensor, _ x0: Tensor, rule: DeepLiftRule, seed: [Float]? = nil) throws
        -> (m: Tensor, delta: Double, engine: Engine) {
        let e = try Engine(graph: graph)
        let a = try e.forward(x, retain: .allWithPreActivations)
        let r = try e.forward(x0, retain: .allWithPreActivations)
        let s = Tensor(shape: a.output.shape, data: seed ?? [Float](repeating: 1, count: a.output.count))
        let g = try e.gradients(a, seeds: [e.outputName: s], wrt: [graph.input], rules: .deepLift(reference: r, rule: rule))
        let m = try XCTUnwrap(g[graph.input])
        let delta = (0..<s.count).reduce(0.0) { $0 + Double(s.data[$1]) * Double(a.output.data[$1] - r.output.data[$1]) }
        return (m, delta, e)
    }

    /// Under reveal-cancel with logits weighted by `seed`: |sum of attributions - change of the
    /// weighted logits|, that change, and the largest difference to rescale's multipliers.
    private func summationGap(_ graph: Graph, _ x: Tensor, _ x0: Tensor, seed: [Float], _ label: String) throws
        -> (gap: Double, delta: Double, toRescale: Float) {
        let (m, delta, _) = try multipliers(graph, x, x0, rule: .revealCancel, seed: seed)
        let total = attributions(m, x, x0).data.reduce(0.0) { $0 + Double($1) }
        let toRescale = m.maxAbsDifference(try multipliers(graph, x, x0, rule: .rescale, seed: seed).m)
        print("reveal-cancel \(label): sum \(total), delta \(delta), relative gap \(abs(total - delta) / abs(delta)); max |m_rc - m_rescale| \(toRescale)")
        return (abs(total - delta), delta, toRescale)
    }

    private func attributions(_ m: Tensor, _ x: Tensor, _ x0: Tensor) -> Tensor {
        Tensor(shape: m.shape, data: (0..<m.count).map { m.data[$0] * (x.data[$0] - x0.data[$0]) })
    }

    /// The paper's min example (3.5.3, Fig. 3): o = x1 - relu(x1 - x2) = min(x1, x2) for
    /// x1 >= 0, built as a 1x1 conv [[1, -1], [1, 0]] with its ReLU fused (h = relu(x1 - x2),
    /// g = relu(x1) = x1) and o = -h + g. At x = (3, 1), x0 = 0, o - o0 = 1.
    /// Rescale: h's multiplier (3 - 1) / (3 - 1) = 1, so x1 gets 3 * (1 - 1) = 0 and x2 gets 1:
    /// all of the change goes to the smaller input. Reveal-cancel splits h's input change 2 into
    /// dz+ = 3 (from x1) and dz- = -1 (from x2): dy+ = ((3 - 0) + (2 - 0)) / 2 = 2.5,
    /// dy- = ((0 - 0) + (2 - 3)) / 2 = -0.5, m+ = 2.5 / 3, m- = 1/2; x1 gets
    /// 3 * (1 - 2.5/3) = 0.5 and x2 gets 1 * (-1) * (-1) * 1/2 = 0.5: both inputs share the
    /// credit, which is what the rule is for (3.5.3: positive and negative terms that cancel
    /// are revealed rather than netted before the nonlinearity).
    func testMinOfTwoInputsSharesTheCreditUnderRevealCancelOnly() throws {
        var b = GraphBuilder(shape: [2, 1, 1])
        let c = b.add(.conv(Conv2D(kernel: (1, 1))), [b.input, b.constant(Tensor(shape: [2, 2, 1, 1], data: [1, -1, 1, 0]))])
        let r = b.add(.relu, [c])
        let f = b.add(.flatten(axis: 1), [r])
        let y = b.add(.gemm(alpha: 1, beta: 0, transA: false, transB: true), [f, b.constant(Tensor(shape: [1, 2], data: [-1, 1]))], output: "y")
        let graph = b.build(outputs: [y])
        let x = Tensor(shape: [1, 2, 1, 1], data: [3, 1]), x0 = Tensor(zeros: [1, 2, 1, 1])
        for (rule, expected) in [(DeepLiftRule.rescale, [Float(0), 1]), (.revealCancel, [0.5, 0.5])] {
            let (m, delta, e) = try multipliers(graph, x, x0, rule: rule)
            XCTAssertNil(e.shape(of: c), "the ReLU is fused into the conv")
            let a = attributions(m, x, x0)
            let d = a.maxAbsDifference(Tensor(shape: a.shape, data: expected))
            print("min example, \(rule.rawValue): attributions \(a.data), hand \(expected), max diff \(d)")
            XCTAssertLessThan(d, 1e-6, rule.rawValue)
            XCTAssertEqual(delta, 1, accuracy: 1e-6)
        }
    }

    /// One ReLU6 unit z = x1 - x2 + x3 with x = (5, 4, 2), x0 = 0: dz+ = 7, dz- = -4, z = 3.
    /// dy+ = ((6 - 0) + (3 - 0)) / 2 = 4.5, dy- = ((0 - 0) + (3 - 6)) / 2 = -1.5, so m+ = 9/14,
    /// m- = 3/8; the input multipliers are w_i times the part's: 9/14, -3/8, 9/14, and the
    /// attributions 45/14, -1.5, 18/14 (sum 3 = y - y0). A
    /// reference input with x2 = x0_2 (no change) takes (m+ + m-) / 2 from the weight's sign
    /// alone (3.5.1); it is checked through the multiplier of x2 with x2 = 0.
    func testClipMultipliersOfPositiveAndNegativeTerms() throws {
        var b = GraphBuilder(shape: [3, 1, 1])
        let c = b.add(.conv(Conv2D(kernel: (1, 1))), [b.input, b.constant(Tensor(shape: [1, 3, 1, 1], data: [1, -1, 1]))])
        let r = b.add(.clip(min: 0, max: 6), [c])
        let y = b.add(.flatten(axis: 1), [r], output: "y")
        let graph = b.build(outputs: [y])
        let x0 = Tensor(zeros: [1, 3, 1, 1])
        let x = Tensor(shape: [1, 3, 1, 1], data: [5, 4, 2])
        let (m, delta, _) = try multipliers(graph, x, x0, rule: .revealCancel)
        let hand: [Float] = [9.0 / 14, -3.0 / 8, 9.0 / 14]
        print("reveal-cancel ReLU6 unit: multipliers \(m.data), hand \(hand), max diff \(m.maxAbsDifference(Tensor(shape: m.shape, data: hand)))")
        XCTAssertLessThan(m.maxAbsDifference(Tensor(shape: m.shape, data: hand)), 1e-6)
        XCTAssertEqual(delta, 3)
        // x2 unchanged: z = 7 = dz+, dz- = 0; dy+ = ((6 - 0) + (6 - 0)) / 2 = 6, m+ = 6/7; m- is the
        // mean slope at z0 + dz+ = 7 and z0 = 0, (0 + 0) / 2 = 0; x2 takes -(m+ + m-) / 2 = -3/7.
        let still = Tensor(shape: [1, 3, 1, 1], data: [5, 0, 2])
        let (m2, _, _) = try multipliers(graph, still, x0, rule: .revealCancel)
        let hand2: [Float] = [6.0 / 7, -3.0 / 7, 6.0 / 7]
        print("reveal-cancel ReLU6 unit, x2 unchanged: multipliers \(m2.data), hand \(hand2)")
        XCTAssertLessThan(m2.maxAbsDifference(Tensor(shape: m2.shape, data: hand2)), 1e-6)
    }

    /// Conv+act -> max pool -> conv+act (grouped) -> residual add -> conv+act ->
    /// global average pool -> Gemm with ReLU, ReLU6 and LeakyReLU: the contributions add up to the
    /// change of the randomly weighted logits, and differ from rescale's.
    func testSummationToDeltaOnAConvNetForEveryFusedRectifier() throws {
        let acts: [Op] = [.relu, .clip(min: 0, max: 6), .leakyRelu(alpha: 0.1)]
        for (k, act) in acts.enumerated() {
            var b = GraphBuilder(shape: [3, 8, 8], seed: 140 + UInt64(k))
            let c1 = b.add(act, [b.conv(b.input, inChannels: 3, outChannels: 4, kernel: 3)])
            let p = b.add(.maxPool(Pool2D(kernel: (2, 2), stride: (2, 2))), [c1])
            let c2 = b.add(act, [b.conv(p, inChannels: 4, outChannels: 4, kernel: 3, groups: 2)])
            let sum = b.add(.add, [c2, p])
            let c3 = b.add(act, [b.conv(sum, inChannels: 4, outChannels: 6, kernel: 3)])
            let g = b.add(.flatten(axis: 1), [b.add(.globalAveragePool, [c3])])
            let y = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [g, b.random([5, 6], scale: 2), b.random([5], scale: 1)], output: "y")
            let graph = b.build(outputs: [y])
            let x = randomTensor([2, 3, 8, 8], seed: 160 + UInt64(k), scale: 2)
            let x0 = randomTensor([2, 3, 8, 8], seed: 180 + UInt64(k), scale: 0.5)
            let r = try summationGap(graph, x, x0, seed: randomTensor([2, 5], seed: 190, scale: 1).data, "with fused \(act)")
            XCTAssertLessThan(r.gap / abs(r.delta), 1e-5, "\(act)")
            XCTAssertGreaterThan(r.toRescale, 1e-3, "reveal-cancel is not rescale (\(act))")
        }
    }

    /// The min example with the first layer a Gemm and its ReLU a step of its own: the pair
    /// (m+, m-) goes from the activation to the Gemm, which splits its terms the same way, so
    /// the attributions are the conv version's (0.5, 0.5).
    func testMinExampleThroughAGemmAndASeparateActivation() throws {
        var b = GraphBuilder(shape: [2])
        let h = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true),
                      [b.input, b.constant(Tensor(shape: [2, 2], data: [1, -1, 1, 0])), b.constant(Tensor(shape: [2], data: [0, 0]))])
        let r = b.add(.relu, [h])
        let y = b.add(.gemm(alpha: 1, beta: 0, transA: false, transB: true), [r, b.constant(Tensor(shape: [1, 2], data: [-1, 1]))], output: "y")
        let x = Tensor(shape: [1, 2], data: [3, 1]), x0 = Tensor(zeros: [1, 2])
        let (m, _, e) = try multipliers(b.build(outputs: [y]), x, x0, rule: .revealCancel)
        XCTAssertNotNil(e.shape(of: h), "the ReLU is a step of its own")
        let a = attributions(m, x, x0)
        print("min example through Gemm + Relu, reveal_cancel: attributions \(a.data), max diff to (0.5, 0.5) \(a.maxAbsDifference(Tensor(shape: [1, 2], data: [0.5, 0.5])))")
        XCTAssertLessThan(a.maxAbsDifference(Tensor(shape: [1, 2], data: [0.5, 0.5])), 1e-6)
    }

    /// Activations as steps of their own after Gemm, after a residual Add (ResNet's block end) and
    /// on the graph input, smooth ones too: summation-to-delta holds (1e-5 relative, or 1e-6
    /// absolute where the change is small).
    func testSummationToDeltaWithActivationsAfterGemmAndAdd() throws {
        for (k, act) in [Op.relu, .sigmoid, .tanh, .hardSwish].enumerated() {
            var b = GraphBuilder(shape: [3, 6, 6], seed: 240 + UInt64(k))
            let a0 = b.add(act, [b.input])
            let c1 = b.conv(a0, inChannels: 3, outChannels: 4, kernel: 3)
            let c2 = b.conv(b.add(.relu, [c1]), inChannels: 4, outChannels: 4, kernel: 3)
            let block = b.add(act, [b.add(.add, [c2, c1])])
            let g = b.add(.flatten(axis: 1), [b.add(.globalAveragePool, [block])])
            let d = b.add(act, [b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [g, b.random([6, 4], scale: 1), b.random([6], scale: 0.5)])])
            let y = b.add(.gemm(alpha: 1, beta: 0, transA: false, transB: true), [d, b.random([5, 6], scale: 1)], output: "y")
            let graph = b.build(outputs: [y])
            let x = randomTensor([2, 3, 6, 6], seed: 260 + UInt64(k), scale: 2)
            let x0 = randomTensor([2, 3, 6, 6], seed: 280 + UInt64(k), scale: 0.5)
            let r = try summationGap(graph, x, x0, seed: randomTensor([2, 5], seed: 290, scale: 1).data, "with \(act) after Gemm / Add / the input")
            // The sigmoid network's change (0.006) is near the logits' float rounding (1e-7).
            XCTAssertLessThan(r.gap, 1e-5 * abs(r.delta) + 1e-6, "\(act)")
            XCTAssertGreaterThan(r.toRescale, 1e-4, "\(act)")
        }
    }

    /// Where the rule is not defined it says so, naming the node, instead of using another rule.
    func testUndefinedPlacesAreErrorsNamingTheNode() throws {
        var b = GraphBuilder(shape: [1, 2, 2])
        let p = b.add(.maxPool(Pool2D(kernel: (2, 2), stride: (2, 2))), [b.input])
        let s = b.add(.sigmoid, [p], name: "gate")
        let y = b.add(.flatten(axis: 1), [s], output: "y")
        XCTAssertThrowsError(try multipliers(b.build(outputs: [y]), Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4]),
                                             Tensor(zeros: [1, 1, 2, 2]), rule: .revealCancel)) { error in
            guard case let .ruleUndefined(_, op, node, detail) = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "Sigmoid")
            XCTAssertEqual(node, s)
            XCTAssertTrue("\(error)".contains("reveal-cancel") && detail.contains("MaxPool") && detail.contains("rule: rescale"), "\(error)")
        }
        var q = GraphBuilder(shape: [2])
        let sq = q.add(.mul, [q.input, q.input], output: "y")
        XCTAssertThrowsError(try multipliers(q.build(outputs: [sq]), Tensor(shape: [1, 2], data: [1, 2]), Tensor(zeros: [1, 2]),
                                             rule: .revealCancel)) { error in
            XCTAssertTrue("\(error)".contains("'y' (Mul)"), "\(error)")
        }
    }
}
