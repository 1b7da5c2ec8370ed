import XCTest
import XAICore
@testable import XAIEngine

/// Winograd F(4x4, 3x3) convolutions (forward and input gradient) against the direct
/// convolution (accumulated in double) and against im2col + GEMM on the same weights.
final class WinogradTests: XCTestCase {
    // The paths under test, not DirectConvolution, which would take these convs' forwards.
    override func setUp() { DirectConvolution.enabled = false }
    override func tearDown() { DirectConvolution.enabled = DirectConvolution.available }

    private func plans(_ a: Conv2D, inC: Int, outC: Int, seed: UInt64, activation: FusedActivation? = nil)
        -> (winograd: ConvPlan, im2col: ConvPlan, w: Tensor, b: Tensor) {
        var g = SeededGenerator(seed: seed)
        let w = g.tensor([outC, inC, 3, 3], scale: 0.5), b = g.tensor([outC], scale: 0.3)
        let fast = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: b.data, activation: activation)
        let slow = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: b.data,
                            activation: activation, allowWinograd: false)
        XCTAssertNotNil(fast.winograd)
        XCTAssertNil(slow.winograd)
        return (fast, slow, w, b)
    }

    /// Max |y - ref| relative to the largest |ref|.
    private func relative(_ y: Tensor, _ ref: Tensor) -> Float {
        y.maxAbsDifference(ref) / max(1e-30, ref.data.map(abs).max() ?? 0)
    }

    /// Maps whose block counts are below, at and above one 16-lane group (so the last group
    /// moves back), edge blocks cut short on either side, every padding up to 2 (asymmetric
    /// ones too), channel counts that leave the last 8-row panel short, several items per
    /// product, and a fused rectifier.
    func testWinogradForwardAgainstDirect() {
        let cases: [(Conv2D, inC: Int, outC: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 5, 7, (16, 16), 1),
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 3, 9, (17, 19), 2),
            (Conv2D(kernel: (3, 3)), 4, 8, (23, 18), 1),
            (Conv2D(kernel: (3, 3), pads: (2, 0, 1, 2)), 6, 5, (15, 21), 3),
            (Conv2D(kernel: (3, 3), pads: (0, 2, 2, 1)), 2, 16, (14, 14), 5),
            // Ten row panels, the last partial: units of two panels and of one.
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 6, 75, (16, 16), 2),
        ]
        for (i, (a, inC, outC, item, batch)) in cases.enumerated() {
            let act: FusedActivation? = i == 1 ? .relu : nil
            let p = plans(a, inC: inC, outC: outC, seed: 60 + UInt64(i), activation: act)
            var g = SeededGenerator(seed: 70 + UInt64(i))
            let x = g.tensor([batch, inC, item.0, item.1], scale: 1)
            let o = ConvPlan.outputSize(a, h: item.0, w: item.1)!
            XCTAssertTrue(WinogradConvolution.worthwhile(ho: o.h, wo: o.w, items: batch, itemsAlike: true),
                          "case \(i) must take the Winograd path")
            var ref = naiveConv(x, p.w, p.b, a)
            if act == .relu { ref.data = ref.data.map { max($0, 0) } }
            let y = p.winograd.forward(x, workspace: Workspace(itemsAlike: true))
            let base = p.im2col.forward(x, workspace: Workspace())
            XCTAssertEqual(y.shape, ref.shape)
            let (dw, di) = (y.maxAbsDifference(ref), base.maxAbsDifference(ref))
            print("winograd forward \(inC)->\(outC) \(item) pads \(a.pads) batch \(batch): max diff \(dw) "
                  + "(relative \(relative(y, ref))), im2col \(di)")
            XCTAssertLessThan(dw, 1e-4)
        }
    }

    /// On a ResNet-50-sized layer (64 -> 64 channels, 56x56, unit-scale inputs, filters of
    /// He-initialisation scale) the relative error stated in WinogradTransform.swift.
    func testWinogradErrorOnAResNetLayer() {
        let a = Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))
        var g = SeededGenerator(seed: 80)
        let w = g.tensor([64, 64, 3, 3], scale: (2.0 / 576).squareRoot()), b = g.tensor([64], scale: 0.1)
        let fast = ConvPlan(attrs: a, inChannels: 64, outChannels: 64, weights: w.data, bias: b.data, activation: nil)
        let slow = ConvPlan(attrs: a, inChannels: 64, outChannels: 64, weights: w.data, bias: b.data, activation: nil,
                            allowWinograd: false)
        let x = g.tensor([1, 64, 56, 56], scale: 1)
        let ref = naiveConv(x, w, b, a)
        let rw = relative(fast.forward(x, workspace: Workspace(itemsAlike: true)), ref)
        let ri = relative(slow.forward(x, workspace: Workspace()), ref)
        print("winograd on a 64->64 56x56 layer: max diff relative to max |y| \(rw), im2col \(ri)")
        XCTAssertLessThan(rw, 2e-5)
    }

    /// The input gradient by Winograd (flipped, transposed filters) against im2col's
    /// col2im path, and the adjoint identity <dy, W x> = <W^T dy, x>.
    func testWinogradInputGradientAgainstIm2col() {
        let cases: [(Conv2D, inC: Int, outC: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 5, 7, (16, 16), 2),
            (Conv2D(kernel: (3, 3)), 9, 4, (21, 18), 1),
            (Conv2D(kernel: (3, 3), pads: (2, 0, 1, 2)), 6, 3, (15, 22), 3),
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 70, 5, (16, 16), 2),
        ]
        for (i, (a, inC, outC, item, batch)) in cases.enumerated() {
            let p = plans(a, inC: inC, outC: outC, seed: 90 + UInt64(i))
            var g = SeededGenerator(seed: 95 + UInt64(i))
            let x = g.tensor([batch, inC, item.0, item.1], scale: 1)
            let o = ConvPlan.outputSize(a, h: item.0, w: item.1)!
            let dy = g.tensor([batch, outC, o.h, o.w], scale: 1)
            XCTAssertTrue(WinogradConvolution.worthwhile(ho: item.0, wo: item.1, items: batch, itemsAlike: true))
            let dx = p.winograd.backwardInput(dy, inputShape: x.shape, workspace: Workspace(itemsAlike: true))
            let ref = p.im2col.backwardInput(dy, inputShape: x.shape, workspace: Workspace())
            let d = dx.maxAbsDifference(ref)
            // Linear part only: the bias does not enter the adjoint.
            let linear = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: p.w.data, bias: nil, activation: nil)
            let lhs = zip(linear.forward(x, workspace: Workspace()).data, dy.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x.data, dx.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            print("winograd input gradient \(inC)->\(outC) \(item) pads \(a.pads) batch \(batch): max diff to im2col \(d) "
                  + "(relative \(relative(dx, ref))); <dy, Wx> = \(lhs), <W^T dy, x> = \(rhs)")
            XCTAssertLessThan(d, 1e-4)
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)))
        }
    }

    /// Maps with fewer than 16 blocks stay on im2col, and so does a call of 16 blocks in all
    /// unless it is a micro-batch that must choose by item; the first forward transforms the
    /// filters once and later copies of the plan share them.
    func testSmallMapsStayOnIm2colAndFiltersAreShared() {
        XCTAssertFalse(WinogradConvolution.worthwhile(ho: 7, wo: 7, items: 32, itemsAlike: true))
        XCTAssertFalse(WinogradConvolution.worthwhile(ho: 14, wo: 14, items: 1, itemsAlike: false))
        XCTAssertTrue(WinogradConvolution.worthwhile(ho: 14, wo: 14, items: 2, itemsAlike: false))
        XCTAssertTrue(WinogradConvolution.worthwhile(ho: 14, wo: 14, items: 1, itemsAlike: true))
        XCTAssertTrue(WinogradConvolution.worthwhile(ho: 28, wo: 28, items: 1, itemsAlike: false))
        let p = plans(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), inC: 3, outC: 4, seed: 99)
        XCTAssertNil(p.winograd.winogradForward(randomTensor([1, 3, 7, 7], seed: 1), workspace: Workspace()))
        XCTAssertNil(p.winograd.winogradForward(randomTensor([1, 3, 14, 14], seed: 1), workspace: Workspace()))
        XCTAssertNotNil(p.winograd.winogradForward(randomTensor([1, 3, 14, 14], seed: 1), workspace: Workspace(itemsAlike: true)))
        XCTAssertNil(p.winograd.winogradBackwardInput(randomTensor([1, 4, 14, 14], seed: 2), inputShape: [1, 3, 14, 14],
                                                      workspace: Workspace()))
        let first = p.winograd.winograd!.forward(.four)
        let copy = p.winograd.unpadded
        XCTAssertTrue(copy.winograd === p.winograd.winograd)
        XCTAssertTrue(first[0] === copy.winograd!.forward(.four)[0])
        XCTAssertNil(WinogradFilters(attrs: Conv2D(kernel: (3, 3), stride: (2, 2)), weights: p.w.data, inChannels: 3, outChannels: 4))
        XCTAssertNil(WinogradFilters(attrs: Conv2D(kernel: (3, 3), dilation: (2, 2)), weights: p.w.data, inChannels: 3, outChannels: 4))
    }

    /// Finite differences through a Winograd conv with a fused rectifier, in an engine graph
    /// (the map is big enough for the Winograd path in both passes).
    func testWinogradGradientAgainstFiniteDifferences() throws {
        var b = GraphBuilder(shape: [3, 16, 15], seed: 120)
        let w = b.random([4, 3, 3, 3], scale: 0.5), bias = b.random([4], scale: 0.2)
        let c = b.add(.conv(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))), [b.input, w, bias], name: "conv", output: "c")
        let y = b.add(.relu, [c], output: "y")
        let graph = b.build(outputs: [y])
        let engine = try Engine(graph: graph)
        XCTAssertTrue(engine.steps.contains { $0.conv?.winograd != nil })
        XCTAssertTrue(WinogradConvolution.worthwhile(ho: 16, wo: 15, items: 2, itemsAlike: false))
        try checkGradient(graph, input: randomTensor([2, 3, 16, 15], seed: 121))
    }

    /// Micro-batches choose Winograd by an item's map, not by how many items they hold: an
    /// image's logits are the same bits in a batch of 3 (micro-batches of one image) and of 6
    /// (two images), where a whole-batch call of one 14x14 image would take im2col.
    func testMicroBatchesScoreAnItemAlikeWhateverTheirSize() throws {
        var b = GraphBuilder(shape: [4, 14, 14], seed: 130)
        let w = b.random([8, 4, 3, 3], scale: 0.5), bias = b.random([8], scale: 0.2)
        let c = b.add(.conv(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))), [b.input, w, bias], name: "conv", output: "c")
        let y = b.add(.relu, [c], output: "y")
        let engine = try Engine(graph: b.build(outputs: [y]))
        try XCTSkipUnless(engine.scoresItemsAlike(batch: 3) && engine.microBatch(batch: 3) == 1
                          && engine.microBatch(batch: 6) == 2, "needs two cores and micro-batches of 2")
        let six = randomTensor([6, 4, 14, 14], seed: 131)
        let all = try engine.logits(six)
        let three = try engine.logits(six.slice(batch: 0..<3))
        let d = three.maxAbsDifference(all.slice(batch: 0..<3))
        print("items 0-2 in a batch of 3 and of 6: max diff \(d)")
        XCTAssertEqual(three.data, all.slice(batch: 0..<3).data)
        let alone = try engine.logits(six.slice(batch: 0..<1))
        print("item 0 alone (im2col) against micro-batched (Winograd): max diff \(alone.maxAbsDifference(all.slice(batch: 0..<1)))")
    }
}
