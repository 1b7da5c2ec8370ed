import XCTest
import XAICore
@testable import XAIEngine

/// The fused expansion + depthwise + projection step (fp32, BlockedProjection) against the
/// expansion + depthwise step followed by the projection on the packed GEMM: the same bits,
/// since every output sums the same terms in the same order.
final class BlockedProjectionTests: XCTestCase {
    private func plans(c: Int, m: Int, depthwise a: Conv2D, projection: FusedActivation?,
                       _ g: inout SeededGenerator) -> (ExpandDepthwise, ConvPlan) {
        let expand = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 6, outChannels: c,
                              weights: g.tensor([c, 6, 1, 1], scale: 0.5).data, bias: g.tensor([c], scale: 0.3).data,
                              activation: .clip(min: 0, max: 6))
        let depthwise = ConvPlan(attrs: a, inChannels: c, outChannels: c, weights: g.tensor([c, 1, a.kernel.h, a.kernel.w], scale: 0.5).data,
                                 bias: g.tensor([c], scale: 0.3).data, activation: .clip(min: 0, max: 6))
        let project = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: c, outChannels: m,
                               weights: g.tensor([m, c, 1, 1], scale: 0.2).data, bias: g.tensor([m], scale: 0.3).data,
                               activation: projection)
        return (ExpandDepthwise(expand: expand, depthwise: depthwise), project)
    }

    /// Output channels of one to four 16-output blocks, whole and partial (16, 24, 40, 56,
    /// 64: kernels of width 1, 2 and 3, a 3 + 1 split, and a last block of eight outputs on
    /// eight lanes after one to three whole ones), maps whose pixel count is below one
    /// tile, not a multiple of 8 or 16, or several tiles, batches of 1 and 3 (the latter with
    /// the cores splitting tiles), without and with a residual and each rectifier.
    func testFusedProjectionEqualsGEMMBitForBit() {
        var g = SeededGenerator(seed: 71)
        let stride1 = Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 32)
        let stride2 = Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1), groups: 48)
        let cases: [(c: Int, m: Int, Conv2D, [Int], FusedActivation?)] = [
            (32, 16, stride1, [6, 7, 7], nil),
            (32, 24, stride1, [6, 3, 3], .relu),
            (48, 40, stride2, [6, 14, 14], .clip(min: 0, max: 6)),
            (32, 56, stride1, [6, 5, 9], .leakyRelu(alpha: 0.1)),
            (48, 64, stride2, [6, 2, 3], nil),
            (32, 24, stride1, [6, 23, 30], nil),
        ]
        for (c, m, a, item, act) in cases {
            let (fused, project) = plans(c: c, m: m, depthwise: a, projection: act, &g)
            XCTAssertTrue(BlockedProjection.fits(project))
            for n in [1, 3] {
                let x = g.tensor([n] + item, scale: 1)
                let depthwise = fused.forward(x, workspace: Workspace())
                let residualShape = project.outputShape(depthwise.shape)
                for residual in [nil, g.tensor(residualShape, scale: 1)] {
                    let ref = project.forward(depthwise, workspace: Workspace(), residual: residual)
                    let y = fused.forwardProjected(x, project: project, residual: residual, workspace: Workspace())
                    XCTAssertEqual(y.shape, ref.shape)
                    let d = y.maxAbsDifference(ref)
                    print("expand+depthwise+projection \(c)->\(m) on \(item) batch \(n) residual \(residual != nil) \(act.map { "\($0)" } ?? "linear"): max diff \(d) (bitwise equal expected)")
                    XCTAssertEqual(differingBits(y, ref), 0, "\(c)->\(m) \(item) batch \(n)")
                }
            }
        }
    }

    /// Signed zeros keep the GEMM's bits: with filters of -0 and a bias of -0, whole 16-pixel
    /// tiles sum from the bias to -0 (kept by the rectifier's compare), an item's last pixels sum
    /// from +0 and add the bias last, giving +0; with and without a residual of -0.
    func testSignedZerosFollowTheGEMM() {
        var g = SeededGenerator(seed: 72)
        let (fused, _) = plans(c: 32, m: 16, depthwise: Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 32), projection: nil, &g)
        let project = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 32, outChannels: 16, weights: [Float](repeating: -0.0, count: 512),
                               bias: [Float](repeating: -0.0, count: 16), activation: .relu)
        let x = g.tensor([2, 6, 5, 5], scale: 1)
        for residual in [nil, Tensor(shape: [2, 16, 5, 5], data: [Float](repeating: -0.0, count: 800))] {
            let ref = project.forward(fused.forward(x, workspace: Workspace()), workspace: Workspace(), residual: residual)
            let y = fused.forwardProjected(x, project: project, residual: residual, workspace: Workspace())
            let negative = ref.data.filter { $0.sign == .minus }.count
            print("signed zeros through relu (residual \(residual != nil)): \(negative) of \(ref.data.count) outputs -0 on the GEMM, \(differingBits(y, ref)) differing bits")
            XCTAssertEqual(differingBits(y, ref), 0)
        }
    }

    /// A 1x1 conv over a channel count that is not a multiple of 16 does not take the blocks.
    func testOnlyWholeChannelBlocksFit() {
        let odd = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 24, outChannels: 8,
                           weights: [Float](repeating: 1, count: 192), bias: nil, activation: nil)
        XCTAssertFalse(BlockedProjection.fits(odd))
        let grouped = ConvPlan(attrs: Conv2D(kernel: (1, 1), groups: 2), inChannels: 32, outChannels: 8,
                               weights: [Float](repeating: 1, count: 128), bias: nil, activation: nil)
        XCTAssertFalse(BlockedProjection.fits(grouped))
    }

    /// In a Lite0-shaped model every block's projection joins its fused step in fp32 passes,
    /// and the logits equal, bit for bit, those of passes that keep the depthwise outputs
    /// (which run the projections on the packed GEMM).
    func testEngineProjectsFromBlocksUnlessTheDepthwiseOutputIsKept() throws {
        let engine = try Engine(graph: ReferenceGraphs.efficientNetLite0Shaped(seed: 6))
        XCTAssertEqual(engine.pairedProjections.count, 16)
        let kept = engine.pairedProjections.keys.map { engine.steps[$0 + 1].output }
        let x = randomTensor([2, 3, 224, 224], seed: 61)
        let fused = try engine.forward(x, retain: .outputs)
        let separate = try engine.forward(x, retain: .outputsAnd(kept))
        let d = fused.output.maxAbsDifference(separate.output)
        print("Lite0-shaped logits, projections from blocks vs on the GEMM: max diff \(d) (bitwise equal expected)")
        XCTAssertEqual(differingBits(fused.output, separate.output), 0)
    }

    /// Values whose bits differ (counted, so that a failure does not print whole tensors).
    private func differingBits(_ a: Tensor, _ b: Tensor) -> Int {
        zip(a.data, b.data).filter { $0.bitPattern != $1.bitPattern }.count
    }
}
