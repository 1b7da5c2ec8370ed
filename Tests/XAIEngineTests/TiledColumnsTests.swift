import XCTest
import XAICore
@testable import XAIEngine

/// im2col tile by tile (ConvPlan+TiledColumns.swift) against the whole-chunk path, which the
/// small maps of these tests take in `forward`: the same products, so equal to the bit, in
/// fp32 and bf16. Tiles split inside output rows and across items, padding on every side,
/// strides 1, 2 and 3, dilation, rows past a panel.
final class TiledColumnsTests: XCTestCase {
    // The paths under test, not DirectConvolution, which would take these convs' forwards.
    override func setUp() { DirectConvolution.enabled = false }
    override func tearDown() { DirectConvolution.enabled = DirectConvolution.available }

    func testTiledColumnsEqualTheWholeChunkPath() throws {
        let cases: [(Conv2D, inC: Int, outC: Int, item: [Int])] = [
            (Conv2D(kernel: (7, 7), stride: (2, 2), pads: (3, 3, 3, 3)), 3, 12, [3, 61, 59]),  // 4 tiles of 864 columns
            (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1)), 40, 16, [40, 9, 70]),  // 2 tiles of 352
            (Conv2D(kernel: (1, 1), stride: (2, 2)), 64, 9, [64, 14, 14]),
            (Conv2D(kernel: (5, 3), stride: (3, 1), dilation: (1, 2), pads: (2, 0, 1, 3)), 7, 8, [7, 13, 11]),
        ]
        let precisions: [Precision] = Precision.bf16Available ? [.fp32, .bf16] : [.fp32]
        var g = SeededGenerator(seed: 91)
        for (a, inC, outC, item) in cases {
            let w = g.tensor([outC, inC, a.kernel.h, a.kernel.w], scale: 0.5), b = g.tensor([outC], scale: 0.3)
            let plan = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: b.data, activation: .relu,
                                allowWinograd: false)
            let x = g.tensor([3] + item, scale: 1)
            for precision in precisions {
                let ws = Workspace()
                ws.precision = precision
                let whole = plan.forward(x, workspace: ws)
                XCTAssertLessThan(plan.groupK * whole.count / outC, ConvPlan.tiledColumnFloats, "the reference must fill whole chunks")
                let (ho, wo) = (whole.shape[2], whole.shape[3])
                var tiled = [Float](repeating: .nan, count: whole.count)
                tiled.withUnsafeMutableBufferPointer { yb in
                    x.data.withUnsafeBufferPointer { xb in
                        plan.forwardTiled(xb.baseAddress!, first: 0, count: 3, c: inC, h: item[1], w: item[2], ho: ho, wo: wo,
                                          packed: plan.packed!, into: ColumnDestination(base: yb.baseAddress!, itemColumns: ho * wo,
                                                                                        channels: outC),
                                          precision: precision)
                    }
                }
                let d = zip(tiled, whole.data).map { abs($0 - $1) }.max() ?? .nan
                print("tiled columns k\(a.kernel) s\(a.stride) \(inC)->\(outC) \(item) \(precision): max diff \(d)")
                XCTAssertEqual(tiled, whole.data, "k\(a.kernel) s\(a.stride) \(precision)")
            }
        }
    }

    /// The input gradient band by band (ResNet-50's stem: 7x7 stride 2 on 224x224, whose W^T dy
    /// is large enough) against dx accumulated in double from every (dy, tap) pair, for two
    /// items, with asymmetric padding.
    func testBandedInputGradientAgainstReference() {
        let a = Conv2D(kernel: (7, 7), stride: (2, 2), pads: (3, 2, 2, 3))
        let (c, m, h, w) = (3, 5, 224, 223)
        var g = SeededGenerator(seed: 92)
        let wt = g.tensor([m, c, 7, 7], scale: 0.5)
        let plan = ConvPlan(attrs: a, inChannels: c, outChannels: m, weights: wt.data, bias: nil, activation: nil)
        let yShape = plan.outputShape([2, c, h, w])
        let (ho, wo) = (yShape[2], yShape[3])
        XCTAssertGreaterThanOrEqual(plan.groupK * ho * wo, ConvPlan.tiledColumnFloats, "must take the banded path")
        let dy = g.tensor(yShape, scale: 1)
        let dx = plan.backwardInput(dy, inputShape: [2, c, h, w], workspace: Workspace())
        var ref = [Double](repeating: 0, count: 2 * c * h * w)
        for i in 0..<2 {
            for o in 0..<m {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        let d = Double(dy.data[((i * m + o) * ho + oy) * wo + ox])
                        for ch in 0..<c {
                            for ki in 0..<7 {
                                let iy = oy * 2 - a.pads.top + ki
                                guard iy >= 0, iy < h else { continue }
                                for kj in 0..<7 {
                                    let ix = ox * 2 - a.pads.left + kj
                                    guard ix >= 0, ix < w else { continue }
                                    ref[((i * c + ch) * h + iy) * w + ix] += d * Double(wt.data[((o * c + ch) * 7 + ki) * 7 + kj])
                                }
                            }
                        }
                    }
                }
            }
        }
        let diff = zip(dx.data, ref).map { abs(Double($0) - $1) }.max() ?? .nan
        print("banded input gradient 7x7/2 \(c)<-\(m) \(h)x\(w) batch 2: max diff to the double reference \(diff)")
        XCTAssertLessThan(diff, 1e-4)
    }
}
