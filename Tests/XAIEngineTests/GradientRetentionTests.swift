import XCTest
import XAICore
@testable import XAIEngine

/// The gradient passes' forward (Engine.gradientRetention): it drops a residual block's conv
/// output and sum, so conv, Add and rectifier run fused, and the rectifier's backward reads its
/// mask off its output. The gradients must equal those of a pass that kept everything, to the
/// bit, under every rule that allows it; DeepLIFT keeps everything.
final class GradientRetentionTests: XCTestCase {
    /// Two bottleneck ends (Relu, then ReLU6 after the Add) and a classifier head, 5 classes.
    private func residualNet() throws -> Engine {
        var b = GraphBuilder(shape: [4, 6, 7], seed: 21)
        let x = b.add(.relu, [b.conv(b.input, inChannels: 4, outChannels: 16, kernel: 1)])
        let out = addBottleneckEnd(&b, from: x, channels: 16, width: 8)
        let out2 = addBottleneckEnd(&b, from: out, channels: 16, width: 8, suffix: "2", rectifier: .pointwise(.clip(min: 0, max: 6)))
        let pooled = b.add(.flatten(axis: 1), [b.add(.globalAveragePool, [out2])])
        let logits = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true),
                           [pooled, b.random([5, 16], scale: 0.5), b.random([5], scale: 0.1)], output: "logits")
        return try Engine(graph: b.build(outputs: [logits]))
    }

    func testDropsTheFusableIntermediatesOnlyWhereNoRuleReadsThem() throws {
        let engine = try residualNet()
        XCTAssertEqual(engine.residualAdds[try XCTUnwrap(engine.producer["end"])]?.rectifier, .relu)
        XCTAssertEqual(engine.residualAdds[try XCTUnwrap(engine.producer["end2"])]?.rectifier, .clip(min: 0, max: 6))
        let keep = try XCTUnwrap(engine.gradientRetention(wrt: [engine.graph.input], rules: .standard))
        for name in ["end", "sum", "end2", "sum2"] { XCTAssertFalse(keep.contains(name), name) }
        for name in ["out", "out2", "logits", engine.graph.input] { XCTAssertTrue(keep.contains(name), name) }
        let asked = try XCTUnwrap(engine.gradientRetention(wrt: [engine.graph.input, "sum"], rules: .guided))
        XCTAssertTrue(asked.contains("sum"), "a tensor whose gradient is asked for is kept")
        let reference = try engine.forward(randomTensor([1, 4, 6, 7], seed: 1), retain: .allWithPreActivations)
        XCTAssertNil(engine.gradientRetention(wrt: [engine.graph.input], rules: .deepLift(reference: reference, rule: .rescale)),
                     "DeepLIFT reads the sums")
    }

    func testGradientsEqualThoseOfAPassThatKeptEverything() throws {
        let engine = try residualNet()
        for (batch, seed) in [(1, 3), (4, 4)] {
            let input = randomTensor([batch, 4, 6, 7], seed: UInt64(seed))
            var seeds = Tensor(zeros: [batch, 5])
            for i in 0..<batch { seeds.data[i * 5 + (2 * i + 1) % 5] = 1 }
            for rules in [BackwardRules.standard, .guided, .deconvnet] {
                for wrt in [[engine.graph.input], [engine.graph.input, "sum"]] {
                    let lean = try engine.gradients(of: input, logitSeeds: seeds, wrt: wrt, rules: rules)
                    // The same micro-batches, each forward keeping every tensor.
                    var kept: [String: [Tensor]] = [:]
                    let chunk = engine.microBatch(batch: batch) ?? batch
                    for lo in stride(from: 0, to: batch, by: chunk) {
                        let range = lo..<min(batch, lo + chunk)
                        let a = try engine.forward(input.slice(batch: range), retain: .all)
                        let g = try engine.gradients(a, seeds: [engine.outputName: seeds.slice(batch: range)], wrt: wrt, rules: rules)
                        for (name, t) in g { kept[name, default: []].append(t) }
                    }
                    for name in wrt {
                        let full = Tensor.concatenate(kept[name]!)
                        let diff = zip(lean[name]!.data, full.data).map { abs($0 - $1) }.max() ?? 0
                        print("batch \(batch) \(rules) d/d\(name) (wrt \(wrt.count)): max diff \(diff)")
                        XCTAssertEqual(lean[name], full, "batch \(batch) \(rules) \(name)")
                    }
                }
            }
        }
    }
}
