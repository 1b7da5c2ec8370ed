import XCTest
import XAICore
@testable import XAIEngine

/// DirectConvolution against the 7-loop reference and against im2col + packed GEMM on the same
/// weights: every register block (1-2 blocks of 1-14 pixels, 3 blocks of 1-7), output channels
/// that leave the last block short, strides 1-3, asymmetric padding, 3x3, 5x3 and 7x7 kernels,
/// several items, a fused rectifier.
final class DirectConvolutionTests: XCTestCase {
    override func tearDown() { DirectConvolution.enabled = DirectConvolution.available }

    private func forward(_ plan: ConvPlan, _ x: Tensor, direct: Bool) -> Tensor {
        DirectConvolution.enabled = direct
        return plan.forward(x, workspace: Workspace())
    }

    func testDirectAgainstReferenceAndGEMM() throws {
        try XCTSkipUnless(DirectConvolution.available, "no AVX-512 on this CPU: im2col + GEMM run these convs")
        let cases: [(Conv2D, inC: Int, outC: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 5, 33, (9, 20), 2),        // widths 14 + 6, last block 1 lane
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 7, 50, (6, 7), 1),         // 3 blocks of 7 pixels, then 1 block
            (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1)), 6, 16, (11, 31), 3),
            (Conv2D(kernel: (3, 3)), 4, 48, (5, 3), 1),                              // 1-pixel rows
            (Conv2D(kernel: (5, 3), stride: (3, 1), pads: (2, 0, 1, 2)), 3, 20, (13, 12), 2),
            (Conv2D(kernel: (7, 7), stride: (2, 2), pads: (3, 3, 3, 3)), 3, 24, (22, 30), 1),
            (Conv2D(kernel: (3, 3), pads: (2, 1, 0, 2)), 9, 5, (10, 9), 2),
        ]
        var g = SeededGenerator(seed: 140)
        for (i, (a, inC, outC, item, batch)) in cases.enumerated() {
            let w = g.tensor([outC, inC, a.kernel.h, a.kernel.w], scale: 0.5), b = g.tensor([outC], scale: 0.3)
            let activation: FusedActivation? = i % 2 == 0 ? .relu : nil
            let plan = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: b.data,
                                activation: activation, allowWinograd: false)
            let x = g.tensor([batch, inC, item.0, item.1], scale: 1)
            DirectConvolution.enabled = true
            XCTAssertTrue(plan.runsDirect(ho: plan.outputShape(x.shape)[2], wo: plan.outputShape(x.shape)[3], Workspace()))
            let y = forward(plan, x, direct: true), gemm = forward(plan, x, direct: false)
            var ref = naiveConv(x, w, b, a)
            if activation != nil { ref = Tensor(shape: ref.shape, data: ref.data.map { max(0, $0) }) }
            XCTAssertEqual(y.shape, ref.shape)
            let (d, dg) = (y.maxAbsDifference(ref), y.maxAbsDifference(gemm))
            print("direct conv k\(a.kernel) s\(a.stride) p\(a.pads) \(inC)->\(outC) \(item) batch \(batch): "
                  + "max diff to reference \(d), to im2col + GEMM \(dg)")
            XCTAssertLessThan(d, 1e-4, "case \(i)")
            XCTAssertLessThan(dg, 1e-5, "case \(i)")
        }
    }

    /// Where the packed GEMM runs whole 16-column blocks (a 16x16 map: 256 columns), both sum
    /// each output's terms in the same order from the bias: equal to the bit.
    func testDirectEqualsGEMMToTheBit() throws {
        try XCTSkipUnless(DirectConvolution.available, "no AVX-512 on this CPU")
        var g = SeededGenerator(seed: 141)
        let a = Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))
        let w = g.tensor([40, 24, 3, 3], scale: 0.5), b = g.tensor([40], scale: 0.3)
        let plan = ConvPlan(attrs: a, inChannels: 24, outChannels: 40, weights: w.data, bias: b.data, activation: .relu,
                            allowWinograd: false)
        let x = g.tensor([1, 24, 16, 16], scale: 1)
        let y = forward(plan, x, direct: true), gemm = forward(plan, x, direct: false)
        print("direct conv 24->40 16x16: max diff to im2col + GEMM \(y.maxAbsDifference(gemm))")
        XCTAssertEqual(y.data, gemm.data)
    }

    /// Which convs take the kernel: not pointwise or strided 1x1 ones, not dilated or grouped
    /// ones, not bf16 passes, and not those where Winograd wins (WinogradTwoTests.testRouting).
    func testRouting() throws {
        try XCTSkipUnless(DirectConvolution.available, "no AVX-512 on this CPU")
        func plan(_ a: Conv2D, _ c: Int, _ m: Int) -> ConvPlan {
            ConvPlan(attrs: a, inChannels: c, outChannels: m, weights: [Float](repeating: 0.1, count: m * c / a.groups * a.kernel.h * a.kernel.w),
                     bias: nil, activation: nil)
        }
        DirectConvolution.enabled = true
        let fp32 = Workspace(), bf16 = Workspace()
        bf16.precision = .bf16
        let k3 = Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1))
        XCTAssertTrue(plan(k3, 32, 32).runsDirect(ho: 56, wo: 56, fp32))
        XCTAssertTrue(plan(k3, 128, 128).runsDirect(ho: 14, wo: 14, fp32))
        XCTAssertFalse(plan(k3, 256, 256).runsDirect(ho: 14, wo: 14, fp32), "Winograd F(2x2)'s")
        XCTAssertFalse(plan(k3, 128, 128).runsDirect(ho: 28, wo: 28, fp32), "Winograd's")
        XCTAssertFalse(plan(k3, 64, 64).runsDirect(ho: 56, wo: 56, fp32), "Winograd's")
        XCTAssertTrue(plan(k3, 128, 128).runsDirect(ho: 28, wo: 28, Workspace(exactLocality: true)), "no Winograd there")
        XCTAssertFalse(plan(k3, 64, 64).runsDirect(ho: 56, wo: 56, bf16))
        XCTAssertFalse(plan(Conv2D(kernel: (1, 1), stride: (2, 2)), 64, 64).runsDirect(ho: 28, wo: 28, fp32))
        XCTAssertFalse(plan(Conv2D(kernel: (3, 3), dilation: (2, 2)), 8, 8).runsDirect(ho: 10, wo: 10, fp32))
        XCTAssertFalse(plan(Conv2D(kernel: (3, 3), groups: 2), 8, 8).runsDirect(ho: 10, wo: 10, fp32))
    }
}

extension DirectConvolutionTests {
    /// The input gradient of stride-1 convs on the kernel (flipped, transposed filters, padding
    /// kernel - 1 - pad) against the transposed-filter GEMM and col2im, and the adjoint identity
    /// <dy, W x> = <W^T dy, x>.
    func testDirectInputGradient() throws {
        try XCTSkipUnless(DirectConvolution.available, "no AVX-512 on this CPU")
        let cases: [(Conv2D, inC: Int, outC: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 33, 7, (9, 20), 2),
            (Conv2D(kernel: (3, 3)), 50, 6, (7, 9), 1),
            (Conv2D(kernel: (3, 3), pads: (2, 0, 1, 2)), 5, 16, (10, 12), 3),
            (Conv2D(kernel: (5, 3), pads: (4, 1, 0, 2)), 20, 3, (12, 5), 2),
        ]
        var g = SeededGenerator(seed: 142)
        for (i, (a, inC, outC, item, batch)) in cases.enumerated() {
            let w = g.tensor([outC, inC, a.kernel.h, a.kernel.w], scale: 0.5)
            let plan = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: nil, activation: nil,
                                allowWinograd: false)
            let x = g.tensor([batch, inC, item.0, item.1], scale: 1)
            let dy = g.tensor(plan.outputShape(x.shape), scale: 1)
            DirectConvolution.enabled = true
            let direct = try XCTUnwrap(plan.directBackwardInput(dy, inputShape: x.shape, workspace: Workspace()), "case \(i)")
            DirectConvolution.enabled = false
            let gemm = plan.backwardInput(dy, inputShape: x.shape, workspace: Workspace())
            let y = plan.forward(x, workspace: Workspace())
            let lhs = zip(dy.data, y.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(direct.data, x.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let d = direct.maxAbsDifference(gemm)
            print("direct input gradient k\(a.kernel) p\(a.pads) \(inC)->\(outC) \(item) batch \(batch): "
                  + "max diff to GEMM + col2im \(d); <dy, Wx> = \(lhs), <W^T dy, x> = \(rhs)")
            XCTAssertLessThan(d, 1e-5, "case \(i)")
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "case \(i)")
        }
        DirectConvolution.enabled = true
        let strided = ConvPlan(attrs: Conv2D(kernel: (3, 3), stride: (2, 2)), inChannels: 4, outChannels: 4,
                               weights: [Float](repeating: 0.1, count: 144), bias: nil, activation: nil)
        XCTAssertNil(strided.directBackwardInput(Tensor(shape: [1, 4, 4, 4], repeating: 1), inputShape: [1, 4, 9, 9],
                                                 workspace: Workspace()), "stride 2 stays on col2im")
    }
}
