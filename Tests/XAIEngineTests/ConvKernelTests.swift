import XCTest
import XAICore
@testable import XAIEngine

/// The GEMM and depthwise convolution kernels against a direct 7-loop reference.
final class ConvKernelTests: XCTestCase {
    private func compare(_ a: Conv2D, inC: Int, outC: Int, item: [Int], batches: [Int], seed: UInt64,
                         file: StaticString = #filePath, line: UInt = #line) {
        var g = SeededGenerator(seed: seed)
        let w = g.tensor([outC, inC / a.groups, a.kernel.h, a.kernel.w], scale: 0.5)
        let b = g.tensor([outC], scale: 0.3)
        let plan = ConvPlan(attrs: a, inChannels: inC, outChannels: outC, weights: w.data, bias: b.data, activation: nil)
        defer { DirectConvolution.enabled = DirectConvolution.available }
        for n in batches {
            let x = g.tensor([n] + item, scale: 1)
            let ref = naiveConv(x, w, b, a)
            // With and without DirectConvolution (which takes group-1 convs wider than 1x1).
            for direct in Set([DirectConvolution.available, false]) {
                DirectConvolution.enabled = direct
                let y = plan.forward(x, workspace: Workspace())
                XCTAssertEqual(y.shape, ref.shape, file: file, line: line)
                let d = y.maxAbsDifference(ref)
                print("conv k\(a.kernel) s\(a.stride) d\(a.dilation) p\(a.pads) g\(a.groups) \(inC)->\(outC) batch \(n) depthwise=\(plan.isDepthwise) direct=\(direct): max diff \(d)")
                XCTAssertLessThan(d, 1e-4, file: file, line: line)
            }
        }
    }

    func testGEMMConvConfigurations() {
        compare(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), inC: 3, outC: 5, item: [3, 9, 8], batches: [1, 4], seed: 1)
        compare(Conv2D(kernel: (5, 3), stride: (2, 3), dilation: (1, 2), pads: (2, 0, 1, 3)), inC: 4, outC: 6,
                item: [4, 11, 13], batches: [1, 3], seed: 2)
        compare(Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1), groups: 2), inC: 6, outC: 4,
                item: [6, 8, 8], batches: [2], seed: 3)
        compare(Conv2D(kernel: (7, 7), stride: (2, 2), pads: (3, 3, 3, 3)), inC: 3, outC: 8, item: [3, 20, 20],
                batches: [2], seed: 4)
        // Stride-2 rows long enough for the vectorised im2col gather (35 and 36 outputs).
        compare(Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1)), inC: 3, outC: 8, item: [3, 9, 70],
                batches: [1], seed: 12)
        compare(Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1)), inC: 2, outC: 9, item: [2, 5, 71],
                batches: [2], seed: 13)
    }

    func testPointwiseDirectAndBatchedPaths() {
        // Pointwise forwards run one product per item on the input itself (60x60 and 5x5 maps).
        compare(Conv2D(kernel: (1, 1)), inC: 4, outC: 3, item: [4, 60, 60], batches: [1, 2], seed: 5)
        compare(Conv2D(kernel: (1, 1)), inC: 8, outC: 6, item: [8, 5, 5], batches: [1, 7], seed: 6)
        compare(Conv2D(kernel: (1, 1), stride: (2, 2)), inC: 4, outC: 4, item: [4, 7, 7], batches: [3], seed: 7)
        compare(Conv2D(kernel: (1, 1), groups: 2), inC: 4, outC: 6, item: [4, 5, 5], batches: [1, 3], seed: 8)
        compare(Conv2D(kernel: (1, 1)), inC: 5, outC: 7, item: [5, 15, 15], batches: [14], seed: 9)
        // Grouped convs run on OpenBLAS: 19 items of 13x13 share one GEMM of 3211 columns, cut
        // into tiles that end mid-item.
        let grouped = Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 2)
        let tile = ConvPlan(attrs: grouped, inChannels: 4, outChannels: 6, weights: [Float](repeating: 0, count: 36),
                            bias: nil, activation: nil).columnTile(rows: 6 + 18, columns: 3211)
        XCTAssertTrue(tile < 3211 && tile % 169 != 0, "tile \(tile)")
        compare(grouped, inC: 4, outC: 6, item: [4, 13, 13], batches: [20], seed: 10)
    }

    /// The packed GEMM against a direct product: whole 48-, 32- and 16-column blocks, the padded
    /// last columns, row panels cut short (M not a multiple of 8), blocks that straddle two
    /// batch items (routed through scratch), a B wider than the product, column tiles (K 1500:
    /// tiles of 64 columns), and every rectifier.
    func testPackedGEMMBlocksTailsAndItemBoundaries() {
        var g = SeededGenerator(seed: 31)
        let activations: [FusedActivation?] = [nil, .relu, .clip(min: 0, max: 0.5), .leakyRelu(alpha: 0.1)]
        var worst: Float = 0
        XCTAssertEqual(PackedGEMM.tileColumns(k: 1500, n: 100), 64)
        for (m, k) in [(1, 1), (7, 3), (8, 5), (9, 40), (17, 2), (9, 1500)] {
            for (n, itemColumns) in packedGEMMColumnCases {
                let ldb = n + 3
                let w = g.tensor([m, k], scale: 0.5), bias = g.tensor([m], scale: 0.3), x = g.tensor([k, ldb], scale: 1)
                let packed = PackedFilters(weights: w.data, bias: bias.data, m: m, k: k)
                for act in activations {
                    var y = [Float](repeating: .nan, count: m * n)
                    y.withUnsafeMutableBufferPointer { yb in
                        x.data.withUnsafeBufferPointer { xb in
                            PackedGEMM.multiply(packed, b: xb.baseAddress!, ldb: ldb, n: n, rectify: Rectifier16(act),
                                                into: ColumnDestination(base: yb.baseAddress!, itemColumns: itemColumns, channels: m))
                        }
                    }
                    for j in 0..<n {
                        let item = j / itemColumns, q = j % itemColumns
                        for r in 0..<m {
                            // In double; the error allowed grows with the sum of the terms' sizes.
                            var s = Double(bias.data[r]), size = abs(s)
                            for kk in 0..<k {
                                let t = Double(w.data[r * k + kk]) * Double(x.data[kk * ldb + j])
                                s += t
                                size += abs(t)
                            }
                            s = rectified(s, act)
                            let d = Float(abs(Double(y[(item * m + r) * itemColumns + q]) - s) / max(1, size))
                            worst = max(worst, d.isNaN ? .infinity : d)
                        }
                    }
                }
            }
        }
        print("packed GEMM against the direct product: max diff relative to the terms' size \(worst)")
        XCTAssertLessThan(worst, 1e-6)
    }

    /// The packed GEMM cut into one column share per core and tiles (on the pool) equals the
    /// same product run whole on one thread (inside a pool chunk, where loops run inline), bit
    /// for bit, in float32 and in bf16: cuts fall where they change no kernel's columns. On one
    /// core both run inline.
    func testPackedGEMMSplitChangesNoBit() {
        var g = SeededGenerator(seed: 37)
        let precisions: [Precision] = Precision.bf16Available ? [.fp32, .bf16] : [.fp32]
        for (m, k, n, itemColumns) in [(24, 1024, 196, 196), (20, 512, 784, 784), (16, 64, 3136, 3136),
                                       (9, 300, 392, 196), (8, 700, 200, 100), (17, 40, 130, 130),
                                       (200, 96, 150, 150)] {  // m > n: split by row panels, no column shares
            let w = g.tensor([m, k], scale: 0.5), bias = g.tensor([m], scale: 0.3), x = g.tensor([k, n], scale: 1)
            let packed = PackedFilters(weights: w.data, bias: bias.data, m: m, k: k)
            for precision in precisions {
                func product() -> [Float] {
                    var y = [Float](repeating: .nan, count: m * n)
                    y.withUnsafeMutableBufferPointer { yb in
                        x.data.withUnsafeBufferPointer { xb in
                            PackedGEMM.multiply(packed, b: xb.baseAddress!, ldb: n, n: n, rectify: Rectifier16(.relu),
                                                into: ColumnDestination(base: yb.baseAddress!, itemColumns: itemColumns, channels: m),
                                                precision: precision)
                        }
                    }
                    return y
                }
                let split = product()
                var whole: [Float] = []
                Parallel.forEachChunk(2) { i in if i == 0 { whole = product() } }
                let differing = zip(split, whole).filter { $0.0.bitPattern != $0.1.bitPattern }
                let largest = differing.map { abs($0.0 - $0.1) }.max() ?? 0
                XCTAssertEqual(differing.count, 0, "m \(m) k \(k) n \(n) \(precision): largest difference \(largest)")
            }
        }
    }

    func testDepthwiseKernelAgainstNaive() {
        let cases: [Conv2D] = [
            Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 5),
            Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1), groups: 5),
            Conv2D(kernel: (5, 5), stride: (2, 2), pads: (1, 1, 2, 2), groups: 5),
            Conv2D(kernel: (5, 5), pads: (2, 2, 2, 2), groups: 5),
            Conv2D(kernel: (3, 5), stride: (3, 2), dilation: (2, 3), pads: (1, 0, 3, 4), groups: 5),
        ]
        for (i, a) in cases.enumerated() {
            compare(a, inC: 5, outC: 5, item: [5, 13, 17], batches: [1, 3], seed: 20 + UInt64(i))
        }
    }

    /// The depthwise kernel on every plane size around its register blocks (eight sliding
    /// outputs for rows of stride 1 or 2 and width 3 or 5, seven on rows of 7, 14 and 28;
    /// four pixels otherwise, fewer when a row is shorter), whose last block moves back over outputs
    /// already done, with a fused rectifier, and with channel counts that leave the last
    /// 16-channel block partial.
    func testDepthwiseKernelCoversEveryPlaneSize() {
        var g = SeededGenerator(seed: 50)
        var worst: Float = 0
        for (a, act) in [(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 3), FusedActivation.clip(min: -0.5, max: 0.75)),
                         (Conv2D(kernel: (5, 5), pads: (2, 2, 2, 2), groups: 3), .relu),
                         (Conv2D(kernel: (5, 5), stride: (2, 2), pads: (1, 1, 2, 2), groups: 3), .leakyRelu(alpha: 0.1)),
                         (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1), groups: 3), .clip(min: 0, max: 6)),
                         (Conv2D(kernel: (5, 3), stride: (1, 2), dilation: (1, 2), pads: (2, 1, 2, 2), groups: 3), .relu),
                         (Conv2D(kernel: (3, 3), dilation: (2, 1), pads: (2, 0, 1, 2), groups: 3), .relu)] {
            for channels in [3, 19] {
                let a = Conv2D(kernel: a.kernel, stride: a.stride, dilation: a.dilation, pads: a.pads, groups: channels)
                for h in [1, 2, 3, 4, 5, 7, 9] {
                    for w in [1, 3, 4, 5, 7, 8, 9, 14, 15, 16, 17, 24, 28, 33] {
                        guard ConvPlan.outputSize(a, h: h, w: w) != nil else { continue }
                        let wt = g.tensor([channels, 1, a.kernel.h, a.kernel.w], scale: 0.5)
                        let b = g.tensor([channels], scale: 0.3)
                        let plan = ConvPlan(attrs: a, inChannels: channels, outChannels: channels, weights: wt.data,
                                            bias: b.data, activation: act)
                        let x = g.tensor([2, channels, h, w], scale: 1)
                        var ref = naiveConv(x, wt, b, a)
                        ref.data = ref.data.map { v in
                            switch act {
                            case let .clip(lo, hi): return Swift.min(Swift.max(v, lo), hi)
                            case let .leakyRelu(s): return v > 0 ? v : s * v
                            case .relu: return Swift.max(v, 0)
                            }
                        }
                        let y = plan.forward(x, workspace: Workspace())
                        XCTAssertEqual(y.shape, ref.shape)
                        let d = y.maxAbsDifference(ref)
                        worst = Swift.max(worst, d)
                        XCTAssertLessThan(d, 1e-4, "k\(a.kernel) s\(a.stride): \(channels) channels, plane \(h)x\(w)")
                    }
                }
            }
        }
        print("depthwise kernel, planes 1..9 x 1..33: max diff \(worst)")
    }

    func testDepthwiseBackwardIsTransposeOfForward() {
        // <dy, conv(x)> = <conv^T(dy), x> for the bias-free linear map; stride 2 uses the
        // scatter kernel, stride 1 the rotated-filter forward kernel.
        let cases = [Conv2D(kernel: (5, 5), stride: (2, 2), dilation: (1, 2), pads: (1, 3, 2, 2), groups: 4),
                     Conv2D(kernel: (3, 5), dilation: (2, 1), pads: (1, 3, 2, 0), groups: 4),
                     Conv2D(kernel: (5, 5), pads: (2, 2, 2, 2), groups: 4)]
        for a in cases {
            var g = SeededGenerator(seed: 30)
            let w = g.tensor([4, 1, a.kernel.h, a.kernel.w], scale: 0.5)
            let plan = ConvPlan(attrs: a, inChannels: 4, outChannels: 4, weights: w.data, bias: nil, activation: nil)
            XCTAssertTrue(plan.isDepthwise)
            let x = g.tensor([2, 4, 15, 14], scale: 1)
            let y = plan.forward(x, workspace: Workspace())
            let dy = g.tensor(y.shape, scale: 1)
            let dx = plan.backwardInput(dy, inputShape: x.shape, workspace: Workspace())
            let lhs = zip(y.data, dy.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x.data, dx.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            print("depthwise adjoint \(a.stride) rotated=\(plan.strideOneTranspose(inputShape: x.shape, outputShape: y.shape) != nil): <dy, Wx> = \(lhs), <W^T dy, x> = \(rhs)")
            XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, abs(lhs)))
        }
    }

    func testFusedEpilogueMatchesSeparateOps() throws {
        for act in [Op.relu, .clip(min: 0, max: 0.5), .leakyRelu(alpha: 0.1)] {
            var b = GraphBuilder(shape: [3, 6, 6], seed: 40)
            let c = b.conv(b.input, inChannels: 3, outChannels: 4, kernel: 3)
            let y = b.add(act, [c], output: "y")
            let graph = b.build(outputs: [y])
            let fused = try Engine(graph: graph)
            let plain = try Engine(graph: graph, options: Engine.Options(fuseActivations: false))
            XCTAssertEqual(fused.tensors.count, 2)
            XCTAssertEqual(plain.tensors.count, 3)
            let x = randomTensor([2, 3, 6, 6], seed: 41)
            let d = try fused.logits(x).maxAbsDifference(plain.logits(x))
            print("fused \(act.onnxName) vs separate: max diff \(d)")
            XCTAssertLessThan(d, 1e-5)
        }
    }

    /// The fused step on `x` against the two convs run one after the other.
    private func assertFusedMatchesSeparate(_ fused: ExpandDepthwise, _ x: Tensor, _ label: String,
                                            file: StaticString = #filePath, line: UInt = #line) {
        let ref = fused.depthwise.forward(fused.expand.forward(x, workspace: Workspace()), workspace: Workspace())
        let y = fused.forward(x, workspace: Workspace())
        XCTAssertEqual(y.shape, ref.shape, file: file, line: line)
        let d = y.maxAbsDifference(ref)
        print("\(label): max diff \(d)")
        XCTAssertLessThan(d, 1e-5, label, file: file, line: line)
    }

    /// One fused pair keeps its depthwise setup per map size: alternating sizes must remake it.
    func testExpandDepthwiseAlternatingMapSizes() {
        var g = SeededGenerator(seed: 51)
        let a = Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1), groups: 16)
        let expand = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 4, outChannels: 16,
                              weights: g.tensor([16, 4, 1, 1], scale: 0.5).data, bias: g.tensor([16], scale: 0.3).data,
                              activation: .relu)
        let depthwise = ConvPlan(attrs: a, inChannels: 16, outChannels: 16, weights: g.tensor([16, 1, 3, 3], scale: 0.5).data,
                                 bias: g.tensor([16], scale: 0.3).data, activation: nil)
        let fused = ExpandDepthwise(expand: expand, depthwise: depthwise)
        for item in [[4, 12, 12], [4, 9, 17], [4, 12, 12], [4, 9, 17]] {
            assertFusedMatchesSeparate(fused, g.tensor([2] + item, scale: 1), "expand+depthwise alternating sizes \(item)")
        }
    }

    /// The fused expansion + depthwise step against the two convs run one after the other:
    /// pixel counts that are not multiples of 16, maps of more than one 512-pixel chunk (so
    /// depthwise rows run between chunks), strides 1 and 2, asymmetric padding, dilation,
    /// 7-wide output rows, several items and both rectifiers.
    func testExpandDepthwiseMatchesSeparateConvs() {
        let cases: [(Conv2D, [Int])] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 32), [5, 23, 30]),
            (Conv2D(kernel: (5, 5), stride: (2, 2), pads: (1, 1, 2, 2), groups: 32), [5, 29, 37]),
            (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1), groups: 32), [5, 14, 14]),
            (Conv2D(kernel: (5, 5), pads: (2, 2, 2, 2), groups: 32), [5, 7, 7]),
            (Conv2D(kernel: (3, 3), dilation: (2, 2), pads: (2, 2, 2, 2), groups: 32), [5, 9, 40]),
        ]
        var g = SeededGenerator(seed: 50)
        for (a, item) in cases {
            let we = g.tensor([32, 5, 1, 1], scale: 0.5), be = g.tensor([32], scale: 0.3)
            let wd = g.tensor([32, 1, a.kernel.h, a.kernel.w], scale: 0.5), bd = g.tensor([32], scale: 0.3)
            let expand = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 5, outChannels: 32, weights: we.data,
                                  bias: be.data, activation: .clip(min: 0, max: 1))
            let depthwise = ConvPlan(attrs: a, inChannels: 32, outChannels: 32, weights: wd.data, bias: bd.data,
                                     activation: .relu)
            XCTAssertTrue(ExpandDepthwise.fits(expand: expand, depthwise: depthwise))
            let fused = ExpandDepthwise(expand: expand, depthwise: depthwise)
            for n in [1, 3] {
                assertFusedMatchesSeparate(fused, g.tensor([n] + item, scale: 1),
                                           "expand+depthwise k\(a.kernel) s\(a.stride) d\(a.dilation) \(item) batch \(n)")
            }
        }
        // A stem-like 3x3 stride-2 conv before the depthwise conv reads im2col columns.
        let stemAttrs = Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1))
        let stem = ConvPlan(attrs: stemAttrs, inChannels: 3, outChannels: 16, weights: g.tensor([16, 3, 3, 3], scale: 0.5).data,
                            bias: g.tensor([16], scale: 0.3).data, activation: .clip(min: 0, max: 6))
        let dw16 = ConvPlan(attrs: Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 16), inChannels: 16, outChannels: 16,
                            weights: g.tensor([16, 1, 3, 3], scale: 0.5).data, bias: nil, activation: .clip(min: 0, max: 6))
        XCTAssertTrue(ExpandDepthwise.fits(expand: stem, depthwise: dw16))
        let fusedStem = ExpandDepthwise(expand: stem, depthwise: dw16)
        for n in [1, 2] {
            assertFusedMatchesSeparate(fusedStem, g.tensor([n, 3, 45, 52], scale: 1), "stem 3x3/2 + depthwise, batch \(n)")
        }
        // Not fused: a conv into a channel count that is not a multiple of 16.
        let odd = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 2, outChannels: 24, weights: [Float](repeating: 1, count: 48),
                           bias: nil, activation: nil)
        let dw = ConvPlan(attrs: Conv2D(kernel: (3, 3), groups: 24), inChannels: 24, outChannels: 24,
                          weights: [Float](repeating: 1, count: 216), bias: nil, activation: nil)
        XCTAssertFalse(ExpandDepthwise.fits(expand: odd, depthwise: dw))
    }

    /// A single image with an odd number of blocks, on maps of 28 output rows or more, goes to
    /// the cores in halves of its output rows (each unit expanding the rows it reads): against
    /// the separate convs, and bit for bit against the same step run inline (whole blocks).
    func testExpandDepthwiseRowPartsMatchWholeBlocks() {
        var g = SeededGenerator(seed: 53)
        let cases: [(Conv2D, [Int], Bool)] = [
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 48), [5, 56, 30], true),
            (Conv2D(kernel: (5, 5), stride: (2, 2), pads: (1, 1, 2, 2), groups: 48), [5, 59, 29], true),
            (Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 48), [3, 61, 40], false),  // a 3x3/2 stem before it
        ]
        for (a, item, pointwise) in cases {
            let expandAttrs = pointwise ? Conv2D(kernel: (1, 1)) : Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1))
            let k = pointwise ? 5 : 27
            let expand = ConvPlan(attrs: expandAttrs, inChannels: item[0], outChannels: 48,
                                  weights: g.tensor([48, k], scale: 0.5).data, bias: g.tensor([48], scale: 0.3).data,
                                  activation: .clip(min: 0, max: 6))
            let depthwise = ConvPlan(attrs: a, inChannels: 48, outChannels: 48,
                                     weights: g.tensor([48, 1, a.kernel.h, a.kernel.w], scale: 0.5).data,
                                     bias: g.tensor([48], scale: 0.3).data, activation: .relu)
            let fused = ExpandDepthwise(expand: expand, depthwise: depthwise)
            let x = g.tensor([1] + item, scale: 1)
            assertFusedMatchesSeparate(fused, x, "expand+depthwise in row halves k\(a.kernel) s\(a.stride) \(item)")
            let parts = fused.forward(x, workspace: Workspace())
            var whole = parts
            Parallel.forEachChunk(2) { i in if i == 0 { whole = fused.forward(x, workspace: Workspace()) } }
            let differing = zip(parts.data, whole.data).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            XCTAssertEqual(differing, 0, "\(item): row halves against whole blocks")
        }
    }

    /// Batches with enough blocks expand two 16-channel blocks at once (twelve pixels per
    /// step; a third block alone): against the separate convs, and bit for bit against the
    /// one-block path that a single item takes.
    func testExpandDepthwisePairedBlocksMatchSingleBlocks() {
        var g = SeededGenerator(seed: 52)
        let expand = ConvPlan(attrs: Conv2D(kernel: (1, 1)), inChannels: 7, outChannels: 48,
                              weights: g.tensor([48, 7, 1, 1], scale: 0.5).data, bias: g.tensor([48], scale: 0.3).data,
                              activation: .clip(min: 0, max: 6))
        let depthwise = ConvPlan(attrs: Conv2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1), groups: 48), inChannels: 48,
                                 outChannels: 48, weights: g.tensor([48, 1, 3, 3], scale: 0.5).data,
                                 bias: g.tensor([48], scale: 0.3).data, activation: nil)
        let fused = ExpandDepthwise(expand: expand, depthwise: depthwise)
        for item in [[7, 23, 30], [7, 13, 27]] {
            let n = 11
            let x = g.tensor([n] + item, scale: 1)
            assertFusedMatchesSeparate(fused, x, "expand+depthwise in block pairs \(item) batch \(n)")
            let batch = fused.forward(x, workspace: Workspace())
            for i in [0, 5, n - 1] {
                let one = fused.forward(x.slice(batch: i..<(i + 1)), workspace: Workspace())
                let d = batch.slice(batch: i..<(i + 1)).maxAbsDifference(one)
                print("item \(i) in block pairs against alone: max diff \(d) (bitwise equal expected)")
                XCTAssertEqual(d, 0, "item \(i) of \(item)")
            }
        }
    }

    /// In a whole model (the stem and the 15 expansions are fused with their depthwise convs)
    /// the fused steps run only when the convs' outputs are not kept; the logits agree either way.
    func testEngineFusesExpansionsOnlyWhenNotKept() throws {
        let engine = try Engine(graph: ReferenceGraphs.efficientNetLite0Shaped(seed: 5))
        XCTAssertEqual(engine.expandDepthwise.count, 16)
        let x = randomTensor([3, 3, 224, 224], seed: 51)
        let fused = try engine.forward(x, retain: .outputs)
        let plain = try engine.forward(x, retain: .all)
        let d = fused.output.maxAbsDifference(plain.output)
        print("Lite0-shaped logits, fused vs unfused expansions: max diff \(d)")
        XCTAssertLessThan(d, 1e-3 * max(1, plain.output.data.map(abs).max()!))
    }
}
