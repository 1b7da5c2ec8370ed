import XCTest
import XAICore
@testable import XAIEngine

/// The input gradient of GEMM convolutions (W^T dY on the packed GEMM for group-1 convs, then
/// col2im) against the direct transposed convolution accumulated in double.
final class ConvInputGradientTests: XCTestCase {
    /// dx[n][c][ih][iw] = sum over m, taps of dy[n][m][oh][ow] w[m][c][ki][kj] where
    /// ih = oh*s - pad + ki*d.
    private func naiveInputGradient(_ dy: Tensor, _ w: Tensor, _ a: Conv2D, inputShape: [Int]) -> Tensor {
        var dx = [Double](repeating: 0, count: inputShape.reduce(1, *))
        forEachConvTap(inputShape, w.shape, a) { out, i, f in dx[i] += Double(dy.data[out]) * Double(w.data[f]) }
        return Tensor(shape: inputShape, data: dx.map { Float($0) })
    }

    /// Pointwise convs (one item straight into dx, several items gathered), a strided 1x1, a
    /// stride-2 3x3, a stem-like 7x7/2, a 3x3 on a map too small for Winograd, and a grouped
    /// conv (still OpenBLAS); M and K not multiples of 8.
    func testInputGradientAgainstDirect() {
        let cases: [(Conv2D, inC: Int, outC: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (1, 1)), 12, 9, (9, 11), 1),
            (Conv2D(kernel: (1, 1)), 5, 17, (5, 5), 6),
            (Conv2D(kernel: (1, 1), stride: (2, 2)), 6, 10, (9, 9), 2),
            (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1)), 7, 11, (13, 12), 2),
            (Conv2D(kernel: (7, 7), stride: (2, 2), pads: (3, 3, 3, 3)), 3, 8, (20, 18), 1),
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), 9, 6, (7, 7), 3),
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 3), 6, 9, (8, 8), 2),
        ]
        for (i, (a, inC, outC, item, batch)) in cases.enumerated() {
            var g = SeededGenerator(seed: 110 + UInt64(i))
            let w = g.tensor([outC, inC / a.groups, a.kernel.h, a.kernel.w], scale: 0.5)
            let plan = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: nil, activation: nil)
            XCTAssertEqual(plan.transposed != nil, a.groups == 1)
            let inputShape = [batch, inC, item.0, item.1]
            let dy = g.tensor(plan.outputShape(inputShape), scale: 1)
            let dx = plan.backwardInput(dy, inputShape: inputShape, workspace: Workspace())
            let ref = naiveInputGradient(dy, w, a, inputShape: inputShape)
            let d = dx.maxAbsDifference(ref)
            print("conv input gradient k\(a.kernel) s\(a.stride) g\(a.groups) \(inC)->\(outC) \(item) batch \(batch): max diff \(d)")
            XCTAssertEqual(dx.shape, ref.shape)
            XCTAssertLessThan(d, 1e-4)
        }
    }

    /// Strided depthwise convs on the blocked gather (Lite0's 3x3/2 and 5x5/2 with TF-style
    /// uneven pads, a stride 3, a 2x1 stride, channels not a multiple of 16, rows of 7 and of
    /// odd widths) and a dilated one on the phase-plane scatter, against the direct sum.
    func testDepthwiseInputGradientAgainstDirect() {
        let cases: [(Conv2D, channels: Int, item: (Int, Int), batch: Int)] = [
            (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1)), 32, (14, 14), 2),
            (Conv2D(kernel: (5, 5), stride: (2, 2), pads: (1, 1, 2, 2)), 20, (15, 13), 1),
            (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1)), 17, (7, 7), 3),
            (Conv2D(kernel: (5, 5), stride: (3, 3), pads: (2, 2, 2, 2)), 16, (11, 16), 1),
            (Conv2D(kernel: (3, 5), stride: (2, 1), pads: (1, 2, 1, 2)), 5, (9, 10), 2),
            (Conv2D(kernel: (3, 3), stride: (2, 2), dilation: (2, 2), pads: (2, 2, 2, 2)), 18, (12, 12), 1),
        ]
        for (i, (a0, c, item, batch)) in cases.enumerated() {
            var a = a0
            a.groups = c
            var g = SeededGenerator(seed: 130 + UInt64(i))
            let w = g.tensor([c, 1, a.kernel.h, a.kernel.w], scale: 0.5)
            let plan = ConvPlan(attrs: a, inChannels: c, outChannels: c, weights: w.data, bias: nil, activation: nil)
            XCTAssertTrue(plan.isDepthwise)
            let inputShape = [batch, c, item.0, item.1]
            let dy = g.tensor(plan.outputShape(inputShape), scale: 1)
            let dx = plan.backwardInput(dy, inputShape: inputShape, workspace: Workspace())
            let d = dx.maxAbsDifference(naiveInputGradient(dy, w, a, inputShape: inputShape))
            print("depthwise input gradient k\(a.kernel) s\(a.stride) d\(a.dilation) \(c) channels \(item) batch \(batch): max diff \(d)")
            XCTAssertLessThan(d, 1e-4)
        }
    }
}
