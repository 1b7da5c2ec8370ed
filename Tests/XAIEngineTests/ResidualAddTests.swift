import XCTest
import XAICore
@testable import XAIEngine

/// The residual Add (and rectifier) run in a pointwise conv's epilogue (ResidualAdd.swift)
/// against the ops run one after the other: the same float additions in the same order, so
/// equal to the bit, in fp32 and in bf16.
final class ResidualAddTests: XCTestCase {
    /// The product with a residual against the product, then `+ residual`, then the rectifier,
    /// over the packed GEMM's column cases (items split inside a block, masked tails) and row
    /// counts past a panel (the scratch path); bf16 on each kernel this CPU has (vdpbf16ps, whose
    /// panel kernel adds the residual before its store, and AMX tiles).
    func testPackedGEMMResidualEqualsProductThenAdd() throws {
        var g = SeededGenerator(seed: 83)
        let activations: [FusedActivation?] = [nil, .relu, .clip(min: 0, max: 0.5)]
        let bf16Kernels = Precision.bf16Available ? (Precision.amxAvailable ? [false, true] : [false]) : []
        let kernels: [(Precision, amx: Bool)] = [(.fp32, Precision.useAMX)] + bf16Kernels.map { (.bf16, $0) }
        let savedAMX = Precision.useAMX
        defer { Precision.useAMX = savedAMX }
        var compared = 0
        for (m, k) in [(8, 5), (12, 40), (17, 3), (24, 144)] {
            for (n, itemColumns) in packedGEMMColumnCases {
                let w = g.tensor([m, k], scale: 0.5), bias = g.tensor([m], scale: 0.3), x = g.tensor([k, n], scale: 1)
                let residual = g.tensor([m * n], scale: 1)
                let packed = PackedFilters(weights: w.data, bias: bias.data, m: m, k: k)
                for act in activations {
                    for (precision, amx) in kernels {
                        Precision.useAMX = amx
                        func product(_ act: FusedActivation?, adding r: Tensor?) -> [Float] {
                            var y = [Float](repeating: .nan, count: m * n)
                            y.withUnsafeMutableBufferPointer { yb in
                                x.data.withUnsafeBufferPointer { xb in
                                    r.withDataPointer { rp in
                                        PackedGEMM.multiply(packed, b: xb.baseAddress!, ldb: n, n: n, rectify: Rectifier16(act),
                                                            into: ColumnDestination(base: yb.baseAddress!, itemColumns: itemColumns,
                                                                                    channels: m, residual: rp),
                                                            precision: precision)
                                    }
                                }
                            }
                            return y
                        }
                        let fused = product(act, adding: residual)
                        let separate = zip(product(nil, adding: nil), residual.data).map { Float(rectified(Double($0 + $1), act)) }
                        XCTAssertEqual(fused, separate, "m \(m) k \(k) n \(n) items of \(itemColumns) \(String(describing: act)) "
                                       + "\(precision)\(precision == .bf16 ? amx ? " AMX" : " vdpbf16ps" : "")")
                        compared += 1
                        guard precision == .fp32 else { continue }
                        // The sum in the residual's own storage (ColumnDestination.residualInPlace).
                        var inPlace = residual.data
                        inPlace.withUnsafeMutableBufferPointer { yb in
                            x.data.withUnsafeBufferPointer { xb in
                                PackedGEMM.multiply(packed, b: xb.baseAddress!, ldb: n, n: n, rectify: Rectifier16(act),
                                                    into: ColumnDestination(base: yb.baseAddress!, itemColumns: itemColumns,
                                                                            channels: m, residual: UnsafePointer(yb.baseAddress!)))
                            }
                        }
                        XCTAssertEqual(inPlace, separate, "in place: m \(m) k \(k) n \(n) items of \(itemColumns) \(String(describing: act))")
                        compared += 1
                    }
                }
            }
        }
        print("packed GEMM with residual: \(compared) products equal to product + add + rectifier")
    }

    /// A ResNet bottleneck's end: conv 1x1 -> Add(block input) -> Relu, batch 3 on a 5x7 map
    /// (12 channels: a panel of 4 rows). Keeping the conv's output runs the three steps apart,
    /// keeping the sum runs the Relu apart.
    func testBottleneckEndMatchesSeparateSteps() throws {
        var b = GraphBuilder(shape: [4, 5, 7], seed: 5)
        let x = b.add(.relu, [b.conv(b.input, inChannels: 4, outChannels: 12, kernel: 1)])
        let out = addBottleneckEnd(&b, from: x, channels: 12, width: 6)
        let engine = try Engine(graph: b.build(outputs: [out]))
        let conv = try XCTUnwrap(engine.producer["end"])
        XCTAssertEqual(engine.residualAdds[conv]?.rectifier, .relu, "the Add and the Relu fuse into the last conv")
        let input = randomTensor([3, 4, 5, 7], seed: 9)
        for e in Precision.bf16Available ? [engine, engine.computing(in: .bf16)] : [engine] {
            let fused = try e.forward(input).output
            for kept in ["end", "sum"] {
                let separate = try e.forward(input, retain: .outputsAnd([kept])).output
                let diff = zip(fused.data, separate.data).map { abs($0 - $1) }.max() ?? 0
                print("bottleneck end \(e.precision), \(kept) kept: max diff \(diff)")
                XCTAssertEqual(fused, separate, "\(e.precision), \(kept) kept")
            }
        }
    }

    /// The first block of a ResNet stage: the Add takes the block's last conv and a stride-2
    /// 1x1 shortcut conv, which comes second and runs on im2col + the packed GEMM; the Add and
    /// the Relu join the shortcut conv's step.
    /// Also with the batch in one pass big enough for the shortcut's im2col to go tile by tile
    /// (ConvPlan+TiledColumns.swift: 11 items x 196 columns x 512 channels).
    func testStridedShortcutMatchesSeparateSteps() throws {
        for (c, size, batch) in [(8, (9, 11), 3), (512, (28, 28), 11)] {
            var b = GraphBuilder(shape: [c, size.0, size.1], seed: 7)
            let mid = b.add(.relu, [b.conv(b.input, inChannels: c, outChannels: 6, kernel: 3, stride: 2, pads: (1, 1, 1, 1))])
            let end = b.conv(mid, inChannels: 6, outChannels: 20, kernel: 1, output: "end")
            let shortcut = b.conv(b.input, inChannels: c, outChannels: 20, kernel: 1, stride: 2, output: "shortcut")
            let out = b.add(.relu, [b.add(.add, [end, shortcut], output: "sum")], output: "out")
            let engine = try Engine(graph: b.build(outputs: [out]))
            let conv = try XCTUnwrap(engine.producer["shortcut"])
            XCTAssertEqual(engine.residualAdds[conv]?.rectifier, .relu, "the Add and the Relu fuse into the shortcut conv")
            let input = randomTensor([batch, c, size.0, size.1], seed: 11)
            for e in Precision.bf16Available ? [engine, engine.computing(in: .bf16)] : [engine] {
                // One pass over the whole batch (no micro-batches), as the caller's keep set says.
                func pass(keeping kept: [String]) throws -> Tensor {
                    try e.forwardWhole([e.graph.input: input], base: nil, keep: Set(e.graph.outputs + kept)).output
                }
                let fused = try pass(keeping: [])
                for kept in ["shortcut", "sum"] {
                    let separate = try pass(keeping: [kept])
                    let diff = zip(fused.data, separate.data).map { abs($0 - $1) }.max() ?? 0
                    print("strided shortcut, \(c) channels, batch \(batch), \(e.precision), \(kept) kept: max diff \(diff)")
                    XCTAssertEqual(fused, separate, "\(c) channels \(e.precision), \(kept) kept")
                }
            }
        }
    }

    /// An inverted-residual block (expand 1x1 + ReLU6, depthwise 3x3, project 1x1, Add of the
    /// block input): in bf16 the projection runs on the fused depthwise step's pairs and takes
    /// the Add too.
    func testInvertedResidualMatchesSeparateAdd() throws {
        var b = GraphBuilder(shape: [16, 9, 9], seed: 6)
        let e = b.add(.pointwise(.clip(min: 0, max: 6)), [b.conv(b.input, inChannels: 16, outChannels: 32, kernel: 1)])
        let d = b.add(.relu, [b.conv(e, inChannels: 32, outChannels: 32, kernel: 3, groups: 32)])
        let p = b.conv(d, inChannels: 32, outChannels: 16, kernel: 1, output: "project")
        let out = b.add(.add, [b.input, p], output: "out")
        let engine = try Engine(graph: b.build(outputs: [out]))
        let project = try XCTUnwrap(engine.producer["project"])
        XCTAssertNotNil(engine.residualAdds[project])
        XCTAssertNil(engine.residualAdds[project]?.rectifier, "nothing after the Add to fuse")
        let input = randomTensor([2, 16, 9, 9], seed: 10)
        for e in Precision.bf16Available ? [engine, engine.computing(in: .bf16)] : [engine] {
            let fused = try e.forward(input).output
            let separate = try e.forward(input, retain: .outputsAnd(["project"])).output
            let diff = zip(fused.data, separate.data).map { abs($0 - $1) }.max() ?? 0
            print("inverted residual \(e.precision): max diff \(diff)")
            XCTAssertEqual(fused, separate, "\(e.precision)")
        }
    }
}
