import XCTest
import XAICore
@testable import XAIEngine

/// Winograd F(2x2, 3x3) (WinogradTransform.swift), the forward of stride-1 3x3 convs on maps
/// too small for F(4x4)'s blocks, against the direct convolution accumulated in double, and
/// the rule that routes convs to it.
final class WinogradTwoTests: XCTestCase {
    /// y = conv(x) on Winograd `tile`, bias and rectifier included.
    private func forwardTwo(_ plan: ConvPlan, _ x: Tensor, tile: WinogradTile = .two) -> Tensor {
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let o = ConvPlan.outputSize(plan.attrs, h: h, w: w)!
        let g = WinogradConvolution.Geometry(h: h, w: w, ho: o.h, wo: o.w, padTop: plan.attrs.pads.top,
                                             padLeft: plan.attrs.pads.left, tile: tile)
        var y = [Float](repeating: .nan, count: n * plan.outChannels * o.h * o.w)
        y.withUnsafeMutableBufferPointer { yb in
            x.data.withUnsafeBufferPointer { xb in
                WinogradConvolution.run(xb.baseAddress!, n: n, c: plan.inChannels, g, filters: plan.winograd!.forward(tile),
                                        bias: plan.bias, rectify: Rectifier16(plan.activation), into: yb.baseAddress!,
                                        workspace: Workspace())
            }
        }
        return Tensor(shape: [n, plan.outChannels, o.h, o.w], data: y)
    }

    /// Block counts below, at and above one 16-lane group, odd maps (edge blocks of one row or
    /// column), every padding up to 2 and asymmetric ones, a last panel of fewer than 8 rows,
    /// several items, and a fused rectifier.
    func testForwardAgainstDirect() {
        let cases: [(Conv2D, inC: Int, outC: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 5, 7, (14, 14), 1),
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 3, 9, (7, 9), 2),
            (Conv2D(kernel: (3, 3)), 4, 8, (11, 10), 1),
            (Conv2D(kernel: (3, 3), pads: (2, 0, 1, 2)), 6, 5, (9, 13), 3),
            (Conv2D(kernel: (3, 3), pads: (0, 2, 2, 1)), 2, 16, (8, 8), 2),
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 6, 75, (5, 6), 2),
        ]
        for (i, (a, inC, outC, item, batch)) in cases.enumerated() {
            var g = SeededGenerator(seed: 200 + UInt64(i))
            let w = g.tensor([outC, inC, 3, 3], scale: 0.5), b = g.tensor([outC], scale: 0.3)
            let act: FusedActivation? = i == 1 ? .relu : nil
            let plan = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: b.data, activation: act)
            let x = g.tensor([batch, inC, item.0, item.1], scale: 1)
            var ref = naiveConv(x, w, b, a)
            if act == .relu { ref.data = ref.data.map { max($0, 0) } }
            let y = forwardTwo(plan, x)
            XCTAssertEqual(y.shape, ref.shape)
            let d = y.maxAbsDifference(ref)
            print("winograd F(2x2) forward \(inC)->\(outC) \(item) pads \(a.pads) batch \(batch): max diff \(d)")
            XCTAssertLessThan(d, 1e-4, "case \(i)")
        }
    }

    /// The patches gathered by AVX-512 (xai_winograd_patches) and F(4x4)'s blocks stored by a
    /// register transpose (xai_winograd_store4) give the same bits as moving them value by value,
    /// in both block sizes, on maps whose 16-block groups span tile rows and end in short blocks.
    func testAVX512MovesEqualValueByValue() throws {
        try XCTSkipUnless(WinogradConvolution.gathersAvailable, "no AVX-512 on this CPU")
        defer { WinogradConvolution.gathers = WinogradConvolution.gathersAvailable }
        var g = SeededGenerator(seed: 220)
        let a = Conv2D(kernel: (3, 3), pads: (1, 2, 0, 1))
        let w = g.tensor([10, 6, 3, 3], scale: 0.5), b = g.tensor([10], scale: 0.3)
        let plan = ConvPlan(attrs: a, inChannels: 6, outChannels: 10, weights: w.data, bias: b.data, activation: nil)
        let x = g.tensor([2, 6, 23, 19], scale: 1)
        for tile in [WinogradTile.four, .two] {
            WinogradConvolution.gathers = true
            let gathered = forwardTwo(plan, x, tile: tile)
            WinogradConvolution.gathers = false
            let moved = forwardTwo(plan, x, tile: tile)
            XCTAssertEqual(gathered, moved, "\(tile)")
        }
    }

    /// On ResNet-50's 14x14x256 layer shape (unit-scale inputs, He-scale filters): F(2x2)'s error
    /// relative to the largest output, beside F(4x4)'s and im2col's on the same layer.
    func testErrorOnAResNetLayer() {
        let a = Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))
        var g = SeededGenerator(seed: 210)
        let w = g.tensor([256, 256, 3, 3], scale: (2.0 / 2304).squareRoot()), b = g.tensor([256], scale: 0.1)
        let plan = ConvPlan(attrs: a, inChannels: 256, outChannels: 256, weights: w.data, bias: b.data, activation: nil)
        let im2col = ConvPlan(attrs: a, inChannels: 256, outChannels: 256, weights: w.data, bias: b.data, activation: nil,
                              allowWinograd: false)
        let x = g.tensor([2, 256, 14, 14], scale: 1)
        let ref = naiveConv(x, w, b, a)
        let scale = ref.data.map(abs).max() ?? 1
        let two = forwardTwo(plan, x).maxAbsDifference(ref) / scale
        let four = forwardTwo(plan, x, tile: .four).maxAbsDifference(ref) / scale
        DirectConvolution.enabled = false
        defer { DirectConvolution.enabled = DirectConvolution.available }
        let gemm = im2col.forward(x, workspace: Workspace()).maxAbsDifference(ref) / scale
        print("256->256 14x14, max diff relative to max |y|: F(2x2) \(two), F(4x4) \(four), im2col \(gemm)")
        XCTAssertLessThan(two, 1e-5)
        XCTAssertLessThan(two, four)
    }

    /// The forward takes F(2x2) on 14x14 maps with 256 channels in float32 passes on the direct
    /// kernel's CPUs (its input gradient stays direct); F(4x4) keeps the maps of 32 of its blocks;
    /// 7x7 maps, fewer channels, bf16 passes and exact-locality passes take neither.
    func testRouting() throws {
        try XCTSkipUnless(DirectConvolution.available, "no AVX-512 on this CPU")
        func plan(_ c: Int) -> ConvPlan {
            ConvPlan(attrs: Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), inChannels: c, outChannels: c,
                     weights: [Float](repeating: 0.01, count: c * c * 9), bias: nil, activation: nil)
        }
        DirectConvolution.enabled = true
        let fp32 = Workspace(), bf16 = Workspace()
        bf16.precision = .bf16
        XCTAssertEqual(plan(256).preferredWinograd(ho: 14, wo: 14, fp32), .two)
        XCTAssertFalse(plan(256).runsDirect(ho: 14, wo: 14, fp32))
        XCTAssertTrue(plan(256).runsDirectBackward(ho: 14, wo: 14, fp32))
        XCTAssertEqual(plan(128).preferredWinograd(ho: 28, wo: 28, fp32), .four)
        XCTAssertFalse(plan(128).runsDirectBackward(ho: 28, wo: 28, fp32))
        XCTAssertNil(plan(128).preferredWinograd(ho: 14, wo: 14, fp32))
        XCTAssertNil(plan(512).preferredWinograd(ho: 7, wo: 7, fp32))
        XCTAssertNil(plan(256).preferredWinograd(ho: 14, wo: 14, bf16))
        XCTAssertNil(plan(256).preferredWinograd(ho: 14, wo: 14, Workspace(exactLocality: true)))
        let x = randomTensor([1, 256, 14, 14], seed: 211)
        let y = try XCTUnwrap(plan(256).winogradForward(x, workspace: fp32))
        XCTAssertEqual(y, forwardTwo(plan(256), x), "winogradForward runs F(2x2) there")
    }
}
