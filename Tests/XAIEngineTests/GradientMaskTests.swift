import XCTest
import XAICore
@testable import XAIEngine

/// Rectifier masks applied inside the depthwise input gradient (GradientMask.swift) against the
/// mask passes they replace: the same bits, since a cell's mask does not depend on where it is
/// applied.
final class GradientMaskTests: XCTestCase {
    /// Values of which a third sit exactly on or beyond the mask's bounds (0 and 6), so that
    /// kept, dropped and boundary cells all occur.
    private func rectifierValues(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { i in
            switch i % 6 {
            case 0: return 0
            case 1: return 6
            case 2: return 7 + g.uniform(1)
            default: return 3 + g.uniform(3.5)
            }
        })
    }

    private func assertSameBits(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, label, file: file, line: line)
        let differing = zip(a.data, b.data).filter { $0.bitPattern != $1.bitPattern }.count
        print("\(label): max diff \(a.maxAbsDifference(b)), \(differing) cells with other bits")
        XCTAssertEqual(differing, 0, label, file: file, line: line)
    }

    /// Stride 1 (the rotated forward kernel), strides 2 and 3 (the blocked gather) and a dilated
    /// conv (the scatter, with mask passes of its own); channels 20 and 32, maps whose pixel
    /// counts are not multiples of 16; the standard ReLU6 rule and guided backpropagation.
    func testMasksInsideTheKernelMatchMaskPasses() {
        let cases: [(Conv2D, channels: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 20, (11, 9), 2),
            (Conv2D(kernel: (5, 5), pads: (2, 2, 2, 2)), 32, (14, 14), 1),
            (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1)), 32, (14, 14), 2),
            (Conv2D(kernel: (5, 5), stride: (3, 3), pads: (2, 2, 2, 2)), 20, (13, 10), 1),
            (Conv2D(kernel: (3, 3), stride: (2, 2), dilation: (2, 2), pads: (2, 2, 2, 2)), 18, (12, 12), 1),
        ]
        let masks = [GradientMask(.clip(min: 0, max: 6), rules: .standard)!, GradientMask(.relu, rules: .guided)!]
        for (i, (a0, c, item, batch)) in cases.enumerated() {
            var a = a0
            a.groups = c
            var g = SeededGenerator(seed: 300 + UInt64(i))
            let plan = ConvPlan(attrs: a, inChannels: c, outChannels: c, weights: g.tensor([c, 1, a.kernel.h, a.kernel.w], scale: 0.5).data,
                                bias: nil, activation: .clip(min: 0, max: 6))
            let inputShape = [batch, c, item.0, item.1]
            let outShape = plan.outputShape(inputShape)
            let dy = g.tensor(outShape, scale: 1)
            let output = rectifierValues(outShape, seed: 310 + UInt64(i)), input = rectifierValues(inputShape, seed: 320 + UInt64(i))
            for mask in masks {
                let ws = Workspace()
                let separate = Elementwise.mask(input, plan.depthwiseBackwardInput(Elementwise.mask(output, dy, mask), inputShape: inputShape,
                                                                                   workspace: ws), mask)
                let fused = plan.depthwiseBackwardInput(dy, inputShape: inputShape, workspace: ws,
                                                        masks: GradientMasks(input: (mask, output), output: (mask, input)))
                assertSameBits(fused, separate, "depthwise k\(a.kernel) s\(a.stride) d\(a.dilation) c\(c) \(item) positiveOnly \(mask.positiveOnly)")
                let onlyOwn = plan.depthwiseBackwardInput(dy, inputShape: inputShape, workspace: ws, masks: GradientMasks(input: (mask, output)))
                assertSameBits(onlyOwn, plan.depthwiseBackwardInput(Elementwise.mask(output, dy, mask), inputShape: inputShape, workspace: ws),
                               "  own mask only")
            }
        }
    }

    /// In an inverted-residual block (1x1 + ReLU6, depthwise + ReLU6, 1x1), the input gradient
    /// with the masks inside the depthwise kernel equals the one computed while the expansion's
    /// output is also asked for (which keeps its gradient unmasked, so its mask runs as a pass),
    /// under the standard and the guided rules; the expansion's own gradient is the unmasked one.
    func testEngineGradientsWithAndWithoutTheFusion() throws {
        var b = GraphBuilder(shape: [8, 13, 13], seed: 60)
        let e = b.add(.clip(min: 0, max: 6), [b.conv(b.input, inChannels: 8, outChannels: 48, kernel: 1)], output: "expanded")
        let d = b.add(.clip(min: 0, max: 6), [b.conv(e, inChannels: 48, outChannels: 48, kernel: 3, stride: 2, groups: 48)],
                      output: "depthwise")
        let y = b.conv(d, inChannels: 48, outChannels: 10, kernel: 1, output: "y")
        let engine = try Engine(graph: b.build(outputs: [y]))
        let x = randomTensor([2, 8, 13, 13], seed: 61, scale: 3)
        let acts = try engine.forward(x, retain: .all)
        let seeds = [y: randomTensor([2, 10, 7, 7], seed: 62)]
        for rules in [BackwardRules.standard, .guided] {
            let fused = try XCTUnwrap(engine.gradients(acts, seeds: seeds, wrt: [b.input], rules: rules)[b.input])
            let both = try engine.gradients(acts, seeds: seeds, wrt: [b.input, e], rules: rules)
            assertSameBits(fused, try XCTUnwrap(both[b.input]), "input gradient, \(rules)")
            let kept = try XCTUnwrap(both[e]).data.enumerated().filter { i, _ in acts[e]!.data[i] <= 0 || acts[e]!.data[i] >= 6 }
            XCTAssertTrue(kept.contains { $0.element != 0 }, "the expansion's gradient is asked for before its mask")
        }
    }
}
