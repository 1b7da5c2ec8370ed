import Foundation
import XCTest
import CKernels
import XAICore
@testable import XAIEngine

/// bf16 products (CKernels) against float32. bf16 keeps 8 significant bits, so rounding an
/// operand errs by at most u = 2^-8 of it and a product of two rounded operands by
/// (2u + u^2) = 2^-7 + 2^-16 of the exact one: the bound on |bf16 - exact| is that fraction of
/// the sum of the terms' sizes, plus float32 accumulation.
final class BF16Tests: XCTestCase {
    static let productBound = Float(0x1p-7 + 0x1p-16)

    func requireBF16() throws {
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
    }

    /// `body` once per bf16 kernel this CPU has: vdpbf16ps, then AMX tiles where available.
    func forEachBF16Kernel(_ body: (String) throws -> Void) rethrows {
        let saved = Precision.useAMX
        defer { Precision.useAMX = saved }
        for amx in Precision.amxAvailable ? [false, true] : [false] {
            Precision.useAMX = amx
            try body(amx ? "AMX" : "vdpbf16ps")
        }
    }

    /// Round to nearest even at 8 significant bits, as vcvtne2ps2bf16 does (finite values).
    static func roundedBF16(_ v: Float) -> Float {
        let u = v.bitPattern
        return Float(bitPattern: (u &+ 0x7fff &+ ((u >> 16) & 1)) & 0xffff_0000)
    }

    /// The bf16 packed GEMM over the fp32 test's shapes (odd k, rows past a panel, 32 / 16 /
    /// masked column blocks, items split inside a block), against the product of the rounded
    /// operands in double (exact up to float32 sums) and against float32 within the bound.
    func testPackedGEMMAgainstRoundedOperandsAndFP32() throws {
        try requireBF16()
        forEachBF16Kernel { kernel in
            var g = SeededGenerator(seed: 61)
            let activations: [FusedActivation?] = [nil, .relu, .clip(min: 0, max: 0.5), .leakyRelu(alpha: 0.1)]
            var worstRounded: Float = 0, worstFP32: Float = 0
            // k = 64 and 96: whole 32-deep steps, whose last AMX step reads B in place.
            for (m, k) in [(1, 1), (7, 3), (8, 5), (9, 40), (17, 2), (9, 1500), (24, 144), (8, 64), (24, 96)] {
                for (n, itemColumns) in packedGEMMColumnCases {
                    let ldb = n + 3
                    let w = g.tensor([m, k], scale: 0.5), bias = g.tensor([m], scale: 0.3), x = g.tensor([k, ldb], scale: 1)
                    let packed = PackedFilters(weights: w.data, bias: bias.data, m: m, k: k)
                    for act in activations {
                        func product(_ precision: Precision) -> [Float] {
                            var y = [Float](repeating: .nan, count: m * n)
                            y.withUnsafeMutableBufferPointer { yb in
                                x.data.withUnsafeBufferPointer { xb in
                                    PackedGEMM.multiply(packed, b: xb.baseAddress!, ldb: ldb, n: n, rectify: Rectifier16(act),
                                                        into: ColumnDestination(base: yb.baseAddress!, itemColumns: itemColumns, channels: m),
                                                        precision: precision)
                                }
                            }
                            return y
                        }
                        let y = product(.bf16), y32 = product(.fp32)
                        for j in 0..<n {
                            let item = j / itemColumns, q = j % itemColumns
                            for r in 0..<m {
                                var s = Double(bias.data[r]), size = abs(s)
                                for kk in 0..<k {
                                    let t = Double(Self.roundedBF16(w.data[r * k + kk])) * Double(Self.roundedBF16(x.data[kk * ldb + j]))
                                    s += t
                                    size += abs(t)
                                }
                                s = rectified(s, act)
                                let at = (item * m + r) * itemColumns + q
                                let d = Float(abs(Double(y[at]) - s) / max(1, size))
                                worstRounded = max(worstRounded, d.isNaN ? .infinity : d)
                                let d32 = Float(abs(Double(y[at]) - Double(y32[at])) / max(1, size))
                                worstFP32 = max(worstFP32, d32.isNaN ? .infinity : d32)
                            }
                        }
                    }
                }
            }
            print("bf16 packed GEMM (\(kernel)): max diff relative to the terms' size: \(worstRounded) against the rounded operands' "
                  + "product, \(worstFP32) against float32 (bound \(Self.productBound))")
            XCTAssertLessThan(worstRounded, 2e-6)
            XCTAssertLessThanOrEqual(worstFP32, Self.productBound + 2e-6)
            XCTAssertGreaterThan(worstFP32, 0, "bf16 must round (else the fp32 kernel ran)")
        }
    }

    /// The fused expansion + depthwise step in bf16, on operands already representable in bf16
    /// (the expansion's products are then exact), equals float32 with the expansion's output
    /// rounded to bf16 (the bf16 depthwise kernel's input; AMX passes run that conv in float32,
    /// so there the reference is float32 throughout and only summation order differs), for the 1x1 and the stem-like
    /// im2col paths, odd k, several items and chunks, 3x3 and 5x5 depthwise convs of strides 1
    /// and 2 (7-wide rows). Up to a rounding flipped by float32 sums in another order: 2^-8 of an
    /// input, times a weight.
    func testExpandDepthwiseOnBF16ValuesMatchesFP32() throws {
        try requireBF16()
        forEachBF16Kernel { kernel in
            var g = SeededGenerator(seed: 62)
            func rounded(_ t: Tensor) -> Tensor { Tensor(shape: t.shape, data: t.data.map(Self.roundedBF16)) }
            let bf16 = Workspace()
            bf16.precision = .bf16
            let depthwiseAttrs = [Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 32),
                                  Conv2D(kernel: (5, 5), stride: (2, 2), pads: (1, 1, 2, 2), groups: 32)]
            for (attrs, cin, item) in [(Conv2D(kernel: (1, 1)), 5, [5, 29, 37]), (Conv2D(kernel: (1, 1)), 24, [24, 23, 30]),
                                       (Conv2D(kernel: (1, 1)), 24, [24, 14, 14]),
                                       (Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1)), 3, [3, 45, 52])] {
                let taps = attrs.kernel.h * attrs.kernel.w
                let expand = ConvPlan(attrs: attrs, inChannels: cin, outChannels: 32,
                                      weights: rounded(g.tensor([32, cin * taps], scale: 0.5)).data,
                                      bias: g.tensor([32], scale: 0.3).data, activation: .clip(min: 0, max: 1))
                for dw in depthwiseAttrs {
                    let k = dw.kernel.h * dw.kernel.w
                    let depthwise = ConvPlan(attrs: dw, inChannels: 32, outChannels: 32, weights: rounded(g.tensor([32, k], scale: 0.5)).data,
                                             bias: g.tensor([32], scale: 0.3).data, activation: .relu)
                    let fused = ExpandDepthwise(expand: expand, depthwise: depthwise)
                    for n in [1, 3] {
                        let x = rounded(g.tensor([n] + item, scale: 1))
                        // AMX passes keep the depthwise input in float32 (ExpandDepthwise.forward).
                        let expanded = expand.forward(x, workspace: Workspace())
                        let ref = depthwise.forward(Precision.useAMX ? expanded : rounded(expanded), workspace: Workspace())
                        let y = fused.forward(x, workspace: bf16)
                        let d = y.maxAbsDifference(ref)
                        print("bf16 (\(kernel)) expand+depthwise k\(attrs.kernel) \(item), depthwise k\(dw.kernel) s\(dw.stride) batch \(n), "
                              + "bf16-exact operands: max diff \(d)")
                        XCTAssertLessThan(d, Precision.useAMX ? 1e-4 : 4e-3)
                    }
                }
            }
        }
    }

    /// The depthwise step's own bf16 pairs are what packing its float32 output gives, bit for
    /// bit, in the column blocks of the kernels in use (AMX's with the padding past the channels
    /// zeroed): three 16-channel blocks (48 channels, padded to 64 for AMX), pixel counts with
    /// and without partial tiles and column blocks, scattered in runs of 7 pixels as the step
    /// scatters rows (runs that cross 16- and 32-column boundaries).
    func testScatteredPairsEqualPackedColumns() throws {
        try requireBF16()
        try forEachBF16Kernel { kernel in
            var g = SeededGenerator(seed: 64)
            let channels = 48
            for count in [1, 16, 37, 49, 100] {
                let cells = (0..<(channels / 16 * count)).map { _ in SIMD16<Float>((0..<16).map { _ in Float.random(in: -3...3, using: &g) }) }
                var planes = [Float](repeating: 0, count: channels * count)
                let halves = PackedGEMM.blockHalves(k: channels, n: count)
                var pairs = [UInt16](repeating: 0xffff, count: halves), packed = [UInt16](repeating: 0, count: halves)
                cells.withUnsafeBufferPointer { b in
                    planes.withUnsafeMutableBufferPointer { p in
                        pairs.withUnsafeMutableBufferPointer { y in
                            for block in 0..<(channels / 16) {
                                let v = b.baseAddress! + block * count
                                ConvPlan.scatterChannels(v, count: count, lanes: 16, into: p.baseAddress! + block * 16 * count, planeStride: count)
                                for first in stride(from: 0, to: count, by: 7) {
                                    ExpandDepthwise.scatterPairs(v + first, first: first, count: min(7, count - first), channel: 16 * block,
                                                                 of: channels, into: y.baseAddress!)
                                }
                            }
                        }
                    }
                }
                // Compared where the layouts hold values: column blocks past the last pixel are left as they were.
                let kp2 = PackedGEMM.blockPairs(k: channels)
                xai_bf16_pack_blocks(planes, count, channels, count, kp2, &packed)
                let compared = (0..<halves).filter { ($0 / 64 / kp2) * 32 + $0 % 64 / 2 < count }
                let differing = compared.filter { pairs[$0] != packed[$0] }.count
                print("bf16 pairs (\(kernel)) from the depthwise blocks, \(count) pixels: \(differing) of \(compared.count) halves differ from packed columns")
                XCTAssertEqual(differing, 0)
            }
        }
    }

    /// Products over pairs that run on across items (a block's pixels, all items' one after the
    /// other), whose 32-column AMX blocks straddle items (5 pixels an item: one vector holds
    /// parts of four), equal bit for bit those that pack each item's columns apart, with and
    /// without a residual.
    func testPairsAcrossItemsEqualItemByItem() throws {
        try requireBF16()
        try forEachBF16Kernel { kernel in
            var g = SeededGenerator(seed: 66)
            for (m, k, itemColumns, items) in [(24, 96, 49, 4), (40, 144, 17, 3), (16, 32, 5, 7), (24, 64, 100, 2)] {
                let n = itemColumns * items
                let w = g.tensor([m, k], scale: 0.5), bias = g.tensor([m], scale: 0.3), x = g.tensor([k, n], scale: 1)
                let residual = g.tensor([items, m, itemColumns], scale: 1)
                let packed = PackedFilters(weights: w.data, bias: bias.data, m: m, k: k)
                var pairs = [UInt16](repeating: 0, count: PackedGEMM.blockHalves(k: k, n: n))
                xai_bf16_pack_blocks(x.data, n, k, n, PackedGEMM.blockPairs(k: k), &pairs)
                for withResidual in [false, true] {
                    func product(_ run: (ColumnDestination) -> Void) -> [Float] {
                        var y = [Float](repeating: .nan, count: m * n)
                        y.withUnsafeMutableBufferPointer { yb in
                            residual.data.withUnsafeBufferPointer { rb in
                                run(ColumnDestination(base: yb.baseAddress!, itemColumns: itemColumns, channels: m,
                                                      residual: withResidual ? rb.baseAddress! : nil))
                            }
                        }
                        return y
                    }
                    let across = product { PackedGEMM.multiply(packed, pairs: pairs, n: n, rectify: Rectifier16(.relu), into: $0) }
                    let apart = product { dst in
                        x.data.withUnsafeBufferPointer { xb in
                            PackedGEMM.multiply(packed, b: xb.baseAddress!, ldb: n, n: n, rectify: Rectifier16(.relu), into: dst, precision: .bf16)
                        }
                    }
                    let differing = zip(across, apart).filter { $0.0 != $0.1 }.count
                    print("bf16 (\(kernel)) product over pairs across \(items) items of \(itemColumns) columns, \(m)x\(k)"
                          + "\(withResidual ? " + residual" : ""): \(differing) of \(m * n) outputs differ from item by item")
                    XCTAssertEqual(differing, 0)
                    XCTAssertFalse(across.contains { $0.isNaN }, "an output was not written")
                }
            }
        }
    }

    /// A bf16 pass hands each block's depthwise output to its projection as bf16 pairs; the
    /// logits equal those of the same pass with the depthwise outputs kept (float32 planes,
    /// packed by the projection), bit for bit, whole batch and micro-batched.
    func testPairedProjectionsMatchPackedPlanes() throws {
        try requireBF16()
        try forEachBF16Kernel { kernel in
            let (engine, x, _) = try lite0Shaped()
            let bf16 = engine.computing(in: .bf16)
            XCTAssertFalse(bf16.pairedProjections.isEmpty, "no block's projection reads bf16 pairs")
            let depthwiseOutputs = bf16.pairedProjections.keys.map { bf16.steps[$0 + 1].output }
            for batch in [x.slice(batch: 0..<1), x] {
                let paired = try bf16.logits(batch)
                let planes = try bf16.forward(batch, retain: .outputsAnd(depthwiseOutputs)).output
                print("bf16 (\(kernel)) logits, paired projections against packed planes (batch \(batch.batch)): max diff \(paired.maxAbsDifference(planes))")
                XCTAssertEqual(paired.data, planes.data)
            }
        }
    }

    /// Why a bf16 engine never says it scores items alike (`Engine.scoresItemsAlike`, what shared
    /// metric logits rely on): its products run on across a micro-batch's items, so an image's
    /// logits depend on where it stands. The fp32 engine of the same graph scores them alike.
    func testBF16MicroBatchesDoNotScoreItemsAlike() throws {
        try requireBF16()
        let fp32 = try Engine(graph: ReferenceGraphs.efficientNetLite0Shaped(seed: 5))
        try XCTSkipUnless(fp32.scoresItemsAlike(batch: 8), "one core: no micro-batches")
        let x = randomTensor([8, 3, 224, 224], seed: 71)
        let order = [7, 6, 5, 4, 3, 2, 1, 0]
        let reversedX = Tensor.concatenate(order.map { x.slice(batch: $0..<($0 + 1)) })
        func positionDifference(_ engine: Engine) throws -> Float {
            let forward = try engine.logits(x), reversed = try engine.logits(reversedX)
            let k = forward.shape[1]
            return order.enumerated().map { position, item in
                zip(forward.data[(item * k)..<((item + 1) * k)], reversed.data[(position * k)..<((position + 1) * k)])
                    .map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        }
        XCTAssertEqual(try positionDifference(fp32), 0)
        try forEachBF16Kernel { kernel in
            let bf16 = fp32.computing(in: .bf16)
            XCTAssertFalse(bf16.scoresItemsAlike(batch: 8))
            print("bf16 (\(kernel)) logits, images in reversed order: max diff \(try positionDifference(bf16))")
        }
    }

    /// A whole Lite0-shaped network: bf16 logits close to float32 but not equal (bf16 ran), on
    /// each kernel; AMX's differ from vdpbf16ps's (AMX ran: its sums round otherwise, and its
    /// passes keep the depthwise convs in float32).
    func testLite0ShapedLogits() throws {
        try requireBF16()
        var logits: [String: Tensor] = [:]
        try forEachBF16Kernel { kernel in
            let (engine, x, fp32) = try lite0Shaped()
            let bf16Engine = engine.computing(in: .bf16)
            XCTAssertEqual(bf16Engine.precision, .bf16)
            let bf16 = try bf16Engine.logits(x)
            logits[kernel] = bf16
            let range = (fp32.data.max() ?? 0) - (fp32.data.min() ?? 0)
            let d = bf16.maxAbsDifference(fp32)
            print("Lite0-shaped logits, bf16 (\(kernel)) against fp32: max diff \(d) (logit range \(range))")
            XCTAssertGreaterThan(d, 0)
            XCTAssertLessThan(d, 0.05 * range)
        }
        if let vdp = logits["vdpbf16ps"], let amx = logits["AMX"] {
            print("Lite0-shaped bf16 logits, AMX against vdpbf16ps: max diff \(amx.maxAbsDifference(vdp))")
            XCTAssertNotEqual(amx.data, vdp.data)
        }
    }

    func lite0Shaped() throws -> (Engine, Tensor, Tensor) {
        let engine = try Engine(graph: ReferenceGraphs.efficientNetLite0Shaped(seed: 5))
        let x = randomTensor([3, 3, 224, 224], seed: 63)
        return (engine, x, try engine.logits(x))
    }

    /// Where bf16 cannot run (here: pretended by the variable) a bf16 request gives an fp32
    /// engine and exactly the fp32 logits.
    func testFallbackRunsFP32() throws {
        let (engine, x, fp32) = try lite0Shaped()
        setenv(Precision.unavailableVariable, "1", 1)
        defer { unsetenv(Precision.unavailableVariable) }
        XCTAssertFalse(Precision.bf16Available)
        let fallback = engine.computing(in: .bf16)
        XCTAssertEqual(fallback.precision, .fp32)
        XCTAssertEqual(try fallback.logits(x).data, fp32.data)
    }
    /// A stem's columns packed as they are made (ExpandDepthwise.im2colPairs) against packing the
    /// float32 im2col columns: the same pairs (or AMX pixel rows), bit for bit (odd K = 27,
    /// padding, stride 2).
    func testStemColumnPairsEqualPackedColumns() throws {
        try requireBF16()
        forEachBF16Kernel { kind in
            var g = SeededGenerator(seed: 67)
            // Strides 1, 2 and 3 (three ways to read a row), a dilation, and more taps than one tile step.
            for (kernel, stride, dilation, c, h, w) in [(3, 2, 1, 3, 17, 23), (5, 1, 1, 2, 9, 8), (3, 3, 1, 2, 20, 37), (3, 1, 2, 5, 12, 40),
                                                        (3, 2, 1, 3, 224, 224)] {
                let a = Conv2D(kernel: (kernel, kernel), stride: (stride, stride), dilation: (dilation, dilation),
                               pads: (kernel / 2, kernel / 2 + 1, kernel / 2, kernel / 2 - 1))
                let conv = ConvPlan(attrs: a, inChannels: c, outChannels: 16, weights: g.tensor([16, c, kernel, kernel], scale: 0.5).data,
                                    bias: nil, activation: nil)
                let x = g.tensor([1, c, h, w], scale: 1), y = conv.outputShape(x.shape)
                let (ho, wo, k) = (y[2], y[3], conv.groupK)
                var columns = [Float](repeating: 0, count: k * ho * wo)
                // k pairs [K/2][pixels][2], or AMX pixel rows [pixels][kpad].
                let layoutCount = Precision.useAMX ? ho * wo * xai_amx_kpad(k) : (k + 1) / 2 * ho * wo * 2
                let columnsWorkspace = Workspace()
                let direct: [UInt16] = x.data.withUnsafeBufferPointer { xb in
                    columns.withUnsafeMutableBufferPointer { cb in
                        for ch in 0..<c {
                            conv.im2col(xb.baseAddress! + ch * h * w, h: h, w: w, ho: ho, wo: wo,
                                        into: cb.baseAddress! + ch * kernel * kernel * ho * wo, ld: ho * wo)
                        }
                    }
                    let packed = columns.withUnsafeBufferPointer {
                        ExpandDepthwise.packBF16($0.baseAddress!, items: 1, k: k, pixels: ho * wo, workspace: columnsWorkspace)
                    }
                    return Array(UnsafeBufferPointer(start: packed, count: layoutCount))
                }
                let ws = Workspace()  // owns the pairs until they are copied out
                let made: [UInt16] = x.data.withUnsafeBufferPointer { xb in
                    let pairs = ExpandDepthwise.im2colPairs(conv, xb.baseAddress!, h: h, w: w, ho: ho, wo: wo, workspace: ws)
                    return Array(UnsafeBufferPointer(start: pairs, count: layoutCount))
                }
                let differing = zip(direct, made).enumerated().filter { $0.element.0 != $0.element.1 }
                print("stem pairs (\(kind)) k\(kernel) s\(stride) d\(dilation) K = \(k): \(differing.count) of \(made.count) halves differ")
                XCTAssertEqual(made.count, direct.count)
                XCTAssertEqual(differing.count, 0, "k\(kernel) s\(stride)")
            }
        }
    }
}
