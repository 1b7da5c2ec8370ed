import Dispatch
import XCTest
import XAICore
@testable import XAIEngine

/// Backward rules (guided / deconvnet), sub-graph evaluation and tensor lookup.
final class HooksTests: XCTestCase {
    /// input -> conv -> relu "r1" -> conv -> relu "r2" -> GAP -> gemm -> logits
    private func reluNet(fuse: Bool) throws -> Engine {
        var b = GraphBuilder(shape: [2, 6, 6], seed: 11)
        let c1 = b.conv(b.input, inChannels: 2, outChannels: 4, kernel: 3, output: "c1")
        let r1 = b.add(.relu, [c1], output: "r1")
        let c2 = b.conv(r1, inChannels: 4, outChannels: 4, kernel: 3, output: "c2")
        let r2 = b.add(.relu, [c2], output: "r2")
        let p = b.add(.globalAveragePool, [r2])
        let f = b.add(.flatten(axis: 1), [p])
        let y = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [f, b.random([3, 4], scale: 1), b.random([3], scale: 1)],
                      output: "logits")
        return try Engine(graph: b.build(outputs: [y]), options: Engine.Options(fuseActivations: fuse))
    }

    func testGuidedGradientsRespectForwardSignAndIncomingSign() throws {
        for fuse in [false, true] {
            let e = try reluNet(fuse: fuse)
            let x = randomTensor([2, 2, 6, 6], seed: 12)
            let acts = try e.forward(x, retain: .all)
            var seed = Tensor(zeros: acts.output.shape)
            seed.data[1] = 1
            seed.data[5] = 1
            // Incoming gradient at r1 under the guided rule (what reaches r1 through c2's conv).
            let guided = try e.gradients(acts, seeds: [e.outputName: seed], wrt: ["r1", "input"], rules: .guided)
            let standard = try e.gradients(acts, seeds: [e.outputName: seed], wrt: ["r1"], rules: .standard)
            XCTAssertNotEqual(guided["r1"]!.data, standard["r1"]!.data, "the rule must change something")
            // The gradient leaving relu r1 towards its input: reconstruct with the rule and compare
            // against the engine's input gradient through the first conv's transpose.
            let r1 = acts["r1"]!, g = guided["r1"]!
            let plan = ConvPlan(attrs: Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), inChannels: 2, outChannels: 4,
                                weights: e.graph.constants[e.graph.nodes[0].inputs[1]]!.data, bias: nil, activation: nil)
            let masked = Tensor(shape: g.shape, data: (0..<g.count).map { r1.data[$0] > 0 && g.data[$0] > 0 ? g.data[$0] : 0 })
            let expected = plan.backwardInput(masked, inputShape: x.shape, workspace: Workspace())
            let d = guided["input"]!.maxAbsDifference(expected)
            print("guided (fuse \(fuse)): |input grad - conv^T(mask * g)| = \(d)")
            XCTAssertLessThan(d, 1e-5)
            var zeroedSomething = false
            for i in 0..<g.count where r1.data[i] <= 0 || g.data[i] <= 0 { zeroedSomething = zeroedSomething || masked.data[i] == 0 && g.data[i] != 0 }
            XCTAssertTrue(zeroedSomething, "the test must exercise negative gradients or inactive units")
            // Every guided gradient at r1 is itself >= 0 where it passed r2's guided rule.
            let c2In = try e.gradients(acts, seeds: [e.outputName: seed], wrt: ["r2"], rules: .guided)["r2"]!
            XCTAssertEqual(c2In.shape, acts["r2"]!.shape)
        }
    }

    func testGuidedZeroWhereForwardInputNonPositive() throws {
        // Single relu: the guided gradient must vanish where x <= 0 or the seed <= 0.
        var b = GraphBuilder(shape: [8])
        let y = b.add(.relu, [b.input], output: "y")
        let e = try Engine(graph: b.build(outputs: [y]))
        let x = Tensor(shape: [1, 8], data: [-2, -1, 0, 1, 2, 3, -3, 4])
        let seed = Tensor(shape: [1, 8], data: [1, -1, 1, 1, -1, 2, 5, -3])
        let acts = try e.forward(x, retain: .all)
        let g = try e.gradients(acts, seeds: ["y": seed], wrt: ["input"], rules: .guided)["input"]!
        XCTAssertEqual(g.data, [0, 0, 0, 1, 0, 2, 0, 0])
        let d = try e.gradients(acts, seeds: ["y": seed], wrt: ["input"], rules: .deconvnet)["input"]!
        XCTAssertEqual(d.data, [1, 0, 1, 1, 0, 2, 5, 0])
        let s = try e.gradients(acts, seeds: ["y": seed], wrt: ["input"], rules: .standard)["input"]!
        XCTAssertEqual(s.data, [0, 0, 0, 1, -1, 2, 0, -3])
    }

    func testGuidedReLU6AndDeconvnetThroughFusedConv() throws {
        var b = GraphBuilder(shape: [1, 4, 4], seed: 13)
        let c = b.conv(b.input, inChannels: 1, outChannels: 2, kernel: 3)
        let y = b.add(.clip(min: 0, max: 6), [c], output: "y")
        let g = b.build(outputs: [y])
        let fused = try Engine(graph: g)
        let plain = try Engine(graph: g, options: Engine.Options(fuseActivations: false))
        let x = randomTensor([1, 1, 4, 4], seed: 14, scale: 8)
        let seed = randomTensor([1, 2, 4, 4], seed: 15)
        for rules in [BackwardRules.standard, .guided, .deconvnet] {
            let a = try fused.gradients(fused.forward(x, retain: .all), seeds: ["y": seed], wrt: ["input"], rules: rules)["input"]!
            let p = try plain.gradients(plain.forward(x, retain: .all), seeds: ["y": seed], wrt: ["input"], rules: rules)["input"]!
            print("fused vs plain ReLU6 under \(rules): max diff \(a.maxAbsDifference(p))")
            XCTAssertLessThan(a.maxAbsDifference(p), 1e-5)
        }
    }

    func testSubgraphForwardReproducesLogits() throws {
        let e = try reluNet(fuse: true)
        let x = randomTensor([3, 2, 6, 6], seed: 16)
        let full = try e.forward(x, retain: .outputsAnd(["r1"]))
        let sub = try e.forward(replacing: ["r1": full["r1"]!])
        XCTAssertLessThan(sub.output.maxAbsDifference(full.output), 1e-6)
        // A different batch size is fine when nothing is read from a base.
        let two = try e.forward(replacing: ["r1": full["r1"]!.slice(batch: 0..<2)])
        XCTAssertEqual(two.output.shape, [2, 3])
    }

    func testSubgraphUsesBaseActivationsForResidualBranch() throws {
        var b = GraphBuilder(shape: [2, 4, 4], seed: 17)
        let c1 = b.conv(b.input, inChannels: 2, outChannels: 3, kernel: 3, output: "c1")
        let a = b.add(.relu, [c1], output: "a")
        let c2 = b.conv(a, inChannels: 3, outChannels: 3, kernel: 3, output: "c2")
        let r = b.add(.tanh, [c2], output: "branch")
        let s = b.add(.add, [a, r], output: "sum")
        let p = b.add(.globalAveragePool, [s])
        let y = b.add(.flatten(axis: 1), [p], output: "logits")
        let e = try Engine(graph: b.build(outputs: [y]))
        let x = randomTensor([2, 2, 4, 4], seed: 18)
        let base = try e.forward(x, retain: .all)
        let sub = try e.forward(replacing: ["branch": base["branch"]!], base: base)
        XCTAssertLessThan(sub.output.maxAbsDifference(base.output), 1e-6)
        // Replacing the branch with zeros leaves GAP(a).
        let zeroed = try e.forward(replacing: ["branch": Tensor(zeros: base["branch"]!.shape)], base: base)
        let gapA = Pooling.globalAverage(base["a"]!)
        XCTAssertLessThan(zeroed.output.maxAbsDifference(gapA), 1e-6)
        // Without a base the residual input is missing: a clear error.
        XCTAssertThrowsError(try e.forward(replacing: ["branch": base["branch"]!])) { err in
            XCTAssertTrue("\(err)".contains("'a'"), "\(err)")
        }
        // A base with another batch size is refused.
        XCTAssertThrowsError(try e.forward(replacing: ["branch": base["branch"]!.item(0)], base: base))
    }

    func testResolveTensor() throws {
        var b = GraphBuilder(shape: [1, 4, 4])
        let h1 = b.add(.relu, [b.input], output: "blocks.1.relu")
        let h2 = b.add(.tanh, [h1], output: "blocks.2.tanh")
        let y = b.add(.sigmoid, [h2], output: "head")
        let e = try Engine(graph: b.build(outputs: [y]))
        XCTAssertEqual(try e.resolveTensor("head"), "head")
        XCTAssertEqual(try e.resolveTensor("blocks.2"), "blocks.2.tanh")
        XCTAssertThrowsError(try e.resolveTensor("blocks.")) { err in
            guard case let EngineError.ambiguousTensor(_, matches) = err else { return XCTFail("\(err)") }
            XCTAssertEqual(matches, ["blocks.1.relu", "blocks.2.tanh"])
        }
        XCTAssertThrowsError(try e.resolveTensor("haed")) { err in
            guard case let EngineError.unknownTensor(name, near) = err else { return XCTFail("\(err)") }
            XCTAssertEqual(name, "haed")
            XCTAssertEqual(near.first, "head")
            print("unknown tensor message: \(err)")
        }
        XCTAssertThrowsError(try e.forward(Tensor(zeros: [1, 1, 4, 4]), retain: .outputsAnd(["nope"])))
    }

    func testConcurrentCallsAgree() throws {
        let e = try reluNet(fuse: true)
        let x = randomTensor([4, 2, 6, 6], seed: 19)
        let expected = try e.logits(x)
        let results = UnsafeMutableBufferPointer<Float>.allocate(capacity: 8)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let out = (try? e.logits(x)) ?? Tensor(zeros: expected.shape)
            results[i] = out.maxAbsDifference(expected)
        }
        print("concurrent forwards: max diff \(results.max()!)")
        XCTAssertEqual(results.max()!, 0)
    }

    /// Batches without retained intermediates run as micro-batches, one per core; the result
    /// must be the per-item forward, retained tensors included, in batch order.
    func testMicroBatchedForwardMatchesItemByItem() throws {
        let e = try reluNet(fuse: true)
        // The classifier head (flatten, gemm) runs on the whole batch after the micro-batches.
        XCTAssertEqual(e.steps[e.wholeBatchFrom].op, .flatten(axis: 1))
        let x = randomTensor([7, 2, 6, 6], seed: 23)
        let whole = try e.forward(x, retain: .outputsAnd(["r1"]))
        var worst: Float = 0
        for i in 0..<7 {
            let one = try e.forward(x.item(i), retain: .outputsAnd(["r1"]))
            worst = max(worst, whole.output.item(i).maxAbsDifference(one.output))
            worst = max(worst, whole["r1"]!.item(i).maxAbsDifference(one["r1"]!))
        }
        print("micro-batched forward vs one item at a time: max diff \(worst)")
        XCTAssertEqual(whole.output.shape, [7, 3])
        XCTAssertLessThan(worst, 1e-5)
    }

    /// The micro-batched forward+backward gives each item's own input gradient.
    func testMicroBatchedGradientsMatchItemByItem() throws {
        let e = try reluNet(fuse: true)
        let x = randomTensor([5, 2, 6, 6], seed: 29)
        var seeds = Tensor(zeros: [5, 3])
        for i in 0..<5 { seeds.data[i * 3 + i % 3] = 1 }
        let whole = try XCTUnwrap(try e.gradients(of: x, logitSeeds: seeds, wrt: [e.graph.input])[e.graph.input])
        var worst: Float = 0
        for i in 0..<5 {
            let acts = try e.forward(x.item(i), retain: .all)
            let one = try e.gradients(acts, seeds: [e.outputName: seeds.item(i)], wrt: [e.graph.input])[e.graph.input]!
            worst = max(worst, whole.item(i).maxAbsDifference(one))
        }
        print("micro-batched gradients vs one item at a time: max diff \(worst)")
        XCTAssertEqual(whole.shape, x.shape)
        XCTAssertLessThan(worst, 1e-5)
    }

    /// Seeds computed from the logits of the pass itself (a probability's gradient): each
    /// micro-batch gets its own items' logits and range, and the gradients equal those of seeds
    /// computed from a separate forward pass.
    func testGradientsSeededFromTheirOwnLogits() throws {
        let e = try reluNet(fuse: true)
        let x = randomTensor([5, 2, 6, 6], seed: 31)
        let p = softmax(try e.logits(x))
        var seeds = Tensor(zeros: [5, 3])
        for i in 0..<5 { for j in 0..<3 { seeds.data[i * 3 + j] = p.data[i * 3 + 1] * ((j == 1 ? 1 : 0) - p.data[i * 3 + j]) } }
        let twoPasses = try XCTUnwrap(try e.gradients(of: x, logitSeeds: seeds, wrt: [e.graph.input])[e.graph.input])
        var seen = [Int](repeating: 0, count: 5)
        let lock = NSLock()
        let onePass = try XCTUnwrap(try e.gradients(of: x, seedingLogits: { logits, items in
            lock.withLock { for i in items { seen[i] += 1 } }
            XCTAssertEqual(logits.batch, items.count)
            let q = softmax(logits)
            var s = Tensor(zeros: [items.count, 3])
            for i in 0..<items.count { for j in 0..<3 { s.data[i * 3 + j] = q.data[i * 3 + 1] * ((j == 1 ? 1 : 0) - q.data[i * 3 + j]) } }
            return s
        }, wrt: [e.graph.input])[e.graph.input])
        XCTAssertEqual(seen, [1, 1, 1, 1, 1])
        let worst = onePass.maxAbsDifference(twoPasses)
        print("gradients seeded from their own logits vs a separate forward pass: max diff \(worst)")
        XCTAssertLessThan(worst, 1e-6)
        XCTAssertThrowsError(try e.gradients(of: x, seedingLogits: { _, _ in Tensor(zeros: [1, 2]) }, wrt: [e.graph.input]))
    }
}
