import XCTest
import XAICore
@testable import XAIEngine

/// The fused expansion + depthwise step in row windows (ExpandDepthwise+RowWindow.swift) against
/// the same step on whole padded blocks, bit for bit, and against the two convs run apart.
final class ExpandDepthwiseWindowTests: XCTestCase {
    /// Runs `body` once in windows (on any map with room for two) and once on whole blocks.
    private func windowedAndWhole(_ body: () -> Tensor) -> (windowed: Tensor, whole: Tensor) {
        let saved = ExpandDepthwise.RowWindow.minimumCells
        defer { ExpandDepthwise.RowWindow.minimumCells = saved }
        ExpandDepthwise.RowWindow.minimumCells = 0
        let windowed = body()
        ExpandDepthwise.RowWindow.minimumCells = .max
        return (windowed, body())
    }

    private func assertSameBits(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, label, file: file, line: line)
        let differing = zip(a.data, b.data).filter { $0.0.bitPattern != $0.1.bitPattern }.count
        print("\(label): \(differing) values differ in windows against whole blocks, max diff \(a.maxAbsDifference(b))")
        XCTAssertEqual(differing, 0, label, file: file, line: line)
    }

    private func step(_ expandAttrs: Conv2D, cin: Int, channels c: Int, depthwise a: Conv2D,
                      _ g: inout SeededGenerator) -> ExpandDepthwise {
        let k = cin * expandAttrs.kernel.h * expandAttrs.kernel.w
        let expand = ConvPlan(attrs: expandAttrs, inChannels: cin, outChannels: c, weights: g.tensor([c, k], scale: 0.5).data,
                              bias: g.tensor([c], scale: 0.3).data, activation: .clip(min: 0, max: 6))
        let depthwise = ConvPlan(attrs: a, inChannels: c, outChannels: c, weights: g.tensor([c, a.kernel.h * a.kernel.w], scale: 0.5).data,
                                 bias: g.tensor([c], scale: 0.3).data, activation: .relu)
        return ExpandDepthwise(expand: expand, depthwise: depthwise)
    }

    /// Maps several windows tall (so rows slide several times, chunks ending inside rows), strides 1
    /// and 2, kernels 3 and 5, dilation, asymmetric padding (the padding below the map read after
    /// a slide), a stem before the depthwise conv, several items, and an odd number of block
    /// groups at batch 1 (row halves, each starting its window inside the map).
    func testWindowsMatchWholeBlocksAndSeparateConvs() {
        var g = SeededGenerator(seed: 71)
        let pointwise = Conv2D(kernel: (1, 1)), stem = Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1))
        let cases: [(Conv2D, Int, Int, Conv2D, [Int])] = [
            (pointwise, 5, 32, Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 32), [97, 23]),
            (pointwise, 5, 32, Conv2D(kernel: (5, 5), stride: (2, 2), pads: (1, 1, 2, 2), groups: 32), [101, 29]),
            (pointwise, 4, 32, Conv2D(kernel: (3, 3), dilation: (2, 2), pads: (2, 2, 2, 2), groups: 32), [90, 17]),
            (pointwise, 6, 80, Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1), groups: 80), [119, 20]),
            (stem, 3, 32, Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 32), [150, 40]),
        ]
        for (expandAttrs, cin, c, a, map) in cases {
            let fused = step(expandAttrs, cin: cin, channels: c, depthwise: a, &g)
            for n in [1, 3] {
                let x = g.tensor([n, cin] + map, scale: 1)
                let label = "k\(expandAttrs.kernel) \(cin)->\(c), depthwise k\(a.kernel) s\(a.stride) d\(a.dilation) \(map) batch \(n)"
                let ref = fused.depthwise.forward(fused.expand.forward(x, workspace: Workspace()), workspace: Workspace())
                let (windowed, whole) = windowedAndWhole { fused.forward(x, workspace: Workspace()) }
                let d = windowed.maxAbsDifference(ref)
                print("\(label) in windows against separate convs: max diff \(d)")
                XCTAssertLessThan(d, 1e-4, label)
                assertSameBits(windowed, whole, label)
            }
        }
    }

    /// The fused projection reads the depthwise output as pixel vectors (float32) or bf16 pairs,
    /// which the windowed step writes row batch by row batch. Six blocks: with AMX, windowed
    /// steps take them in one group (each pixel tile through four blocks, then two), whole
    /// blocks in groups of four and two.
    func testProjectedOutputsInWindowsMatchWholeBlocks() {
        var g = SeededGenerator(seed: 72)
        let fused = step(Conv2D(kernel: (1, 1)), cin: 8, channels: 96, depthwise: Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 96), &g)
        let project = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 96, outChannels: 24, weights: g.tensor([24, 96], scale: 0.3).data,
                               bias: g.tensor([24], scale: 0.3).data, activation: nil)
        let x = g.tensor([2, 8, 88, 36], scale: 1)
        var precisions: [Precision] = [.fp32]
        if Precision.bf16Available { precisions.append(.bf16) }
        for precision in precisions {
            for inPool in [false, true] {
                let (windowed, whole) = windowedAndWhole {
                    let ws = Workspace()
                    ws.precision = precision
                    return inPool ? Self.asMicroBatch { fused.forwardProjected(x, project: project, workspace: ws) }
                                  : fused.forwardProjected(x, project: project, workspace: ws)
                }
                assertSameBits(windowed, whole, "projected \(precision) (AMX \(Precision.useAMX))\(inPool ? " as a micro-batch" : "")")
            }
        }
    }

    /// `body` as a micro-batch runs it: inside a loop on the pool, where nested loops run inline
    /// (and AMX steps on big maps take up to eight blocks a group).
    private static func asMicroBatch<T>(_ body: () -> T) -> T {
        var result: T?
        Parallel.forEachChunk(2) { i in
            if i == 0 { result = body() }
        }
        return result!
    }
}
