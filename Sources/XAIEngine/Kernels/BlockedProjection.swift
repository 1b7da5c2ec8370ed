import CKernels
import XAICore

/// The projection of an inverted-residual block (the pointwise group-1 conv that alone reads a
/// fused expansion + depthwise step) reading the depthwise kernel's own output layout, pixel
/// vectors by 16-channel block, [N][C/16][H * W][16], so that the step's C channels are never
/// transposed into planes. The transposition moves to the projection's M outputs, a sixth of C
/// in MobileNetV2 / EfficientNet blocks: scattering the depthwise output into planes was 11% of
/// a Lite0 batch-32 pass (perf), most of it stores to C planes at once.
///
/// y = rectify(W x + bias), or rectify(W x + bias + residual): each output starts from its bias
/// and adds its C products in channel order, then the residual, exactly as the packed GEMM does
/// (PackedGEMM.swift); an item's last P mod 16 pixels sum in four interleaved partial sums and
/// add the bias last, as the GEMM's last columns do. So fusing the projection changes no bit of
/// any result (BlockedProjectionTests; compare-methods' comparison.csv identical).
///
/// The kernel mirrors the GEMM's 8 x 48 block: eight pixels broadcast against three 16-output
/// filter vectors, 11 loads per 24 multiply-adds. Lite0 forward, alternated runs: batch 32
/// 3.74-3.76 -> 3.51-3.53 ms, batch 1 5.45-5.47 -> 5.27-5.33; in a batch-32 pass it runs at
/// about 70 G multiply-adds per second per core (80% of the FMA peak).
final class BlockedProjection: @unchecked Sendable {
    typealias Lanes = SIMD16<Float>
    /// Output channels (M) and input channels (C, a multiple of 16).
    let m: Int
    let c: Int
    /// Filters by 16-output block, [block][c][16], and biases [block][16]; lanes past M zero.
    private let byBlock: BlockFilters

    var outBlocks: Int { (m + ConvPlan.laneCount - 1) / ConvPlan.laneCount }

    /// Whether `plan` is a pointwise group-1 conv over a multiple of 16 channels.
    static func fits(_ plan: ConvPlan) -> Bool {
        plan.isPointwise && plan.groups == 1 && plan.inChannels % ConvPlan.laneCount == 0
    }

    init(_ plan: ConvPlan) {
        precondition(Self.fits(plan))
        (m, c) = (plan.outChannels, plan.inChannels)
        byBlock = BlockFilters(plan)
    }

    /// x [N][C/16][pixels][16], `shape` the NCHW shape it holds -> [N, M, H, W]; `residual`
    /// (that shape) is added before `activation`.
    func forward(_ x: UnsafePointer<Lanes>, shape: [Int], activation: FusedActivation?, residual: Tensor?,
                 workspace ws: Workspace) -> Tensor {
        let (n, pixels) = (shape[0], shape[2] * shape[3])
        precondition(shape[1] == c)
        let L = ConvPlan.laneCount, blocks = outBlocks, kBlocks = c / L
        // Pixel tiles, and the distance between one pixel's 16-channel blocks (floats).
        let tiles = (pixels + L - 1) / L, step = pixels * L
        // Units of one 16-pixel tile and a group of output blocks; groups only where the tiles
        // alone are too few to share among the cores (7x7 maps at batch 1). Groups are the
        // outer index: the pool hands each core its own run of units, so a core reads only its
        // groups' filters (442 of Lite0's 884 KB at 7x7) instead of all of them for its pixels.
        // Step profile, batch 1, min of two alternations: the five 7x7 blocks 0.04 ms faster.
        let wanted = Parallel.loopsRunInline ? 1 : Parallel.cores * Parallel.chunksPerCore
        let groups = min(blocks, max(1, (wanted + n * tiles - 1) / (n * tiles)))
        let unitWork = L * c * L * max(1, blocks / groups)
        let rectify = Rectifier16(activation)
        return ws.tensor([n, m, shape[2], shape[3]]) { y, _ in
            residual.withDataPointer { rp in
                Parallel.forRanges(n * tiles * groups, grain: max(1, (1 << 20) / unitWork)) { r in
                    Scratch.with(Lanes.self, count: L * blocks) { s in
                        for u in r {
                            let (g, item, tile) = (u / (n * tiles), u / tiles % n, u % tiles)
                            let p0 = tile * L, count = min(L, pixels - p0)
                            let src = UnsafeRawPointer(x + item * kBlocks * pixels + p0).assumingMemoryBound(to: Float.self)
                            let first = blocks * g / groups, last = blocks * (g + 1) / groups
                            if count == L && last - first == 1 {
                                // One block (Lite0's first projection, 16 outputs): all 16 pixels
                                // at once, so each filter load feeds 16 multiply-adds, not 8.
                                Self.tile(src, blockStride: step, kBlocks: kBlocks, filters: byBlock.data + first * c * L,
                                          bias: byBlock.bias + first * L, into: s + first * L)
                            } else if count == L {
                                // Two octets of pixels, each against the group's blocks three at a time;
                                // a last block of eight outputs (M = 16j + 8) on eight lanes.
                                let full = last == blocks && m % L == 8 ? last - 1 : last
                                for octet in stride(from: 0, to: L, by: 8) {
                                    var b = first
                                    while b < full {
                                        let (f, bias, into, px) = (byBlock.data + b * c * L, byBlock.bias + b * L, s + b * L + octet, src + octet * L)
                                        switch full - b {
                                        case 1: Self.octet(One.self, px, blockStride: step, kBlocks: kBlocks, filters: f, c: c, bias: bias, into: into)
                                        case 2: Self.octet(Two.self, px, blockStride: step, kBlocks: kBlocks, filters: f, c: c, bias: bias, into: into)
                                        default: Self.octet(Three.self, px, blockStride: step, kBlocks: kBlocks, filters: f, c: c, bias: bias, into: into)
                                        }
                                        b += 3
                                    }
                                    if full < last {
                                        Self.halfOctet(src + octet * L, blockStride: step, kBlocks: kBlocks, filters: byBlock.data + full * c * L,
                                                       bias: byBlock.bias + full * L, into: s + full * L + octet)
                                    }
                                }
                            } else {
                                // An item's last pixels, fewer than 16, summed as the GEMM sums them.
                                for b in first..<last {
                                    let bias = Self.load(byBlock.bias + b * L)
                                    for i in 0..<count {
                                        s[b * L + i] = Self.narrowColumn(src + i * L, blockStride: step, kBlocks: kBlocks,
                                                                         filters: byBlock.data + b * c * L, bias: bias)
                                    }
                                }
                            }
                            for b in first..<last {
                                let t = s + b * L
                                ConvPlan.transpose16(t)
                                let plane = (item * m + b * L) * pixels + p0
                                for lane in 0..<min(L, m - b * L) {
                                    let row = plane + lane * pixels
                                    if count == L {
                                        let v = rp.map { t[lane] + Self.load($0 + row) } ?? t[lane]
                                        UnsafeMutableRawPointer(y + row).storeBytes(of: rectify(v), as: Lanes.self)
                                    } else {
                                        Self.store(t + lane, count: count, rectify, residual: rp.map { $0 + row }, into: y + row)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// How far ahead (floats: 64 channels of a block's filters, 4 KB) `octet` asks for each
    /// block's filter stream, which its first pixel tile reads from L3 (up to 884 KB a group in
    /// Lite0's 7x7 blocks); 16 channels ahead did less. Step profiles of Lite0's fused blocks,
    /// min of two alternations: batch 32 8.97-9.04 -> 8.80-8.94 ms per two images.
    private static let filterPrefetch = 64 * ConvPlan.laneCount

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    /// Eight pixels x `W.width` 16-output blocks (a type, so that each width is compiled apart), the mirror
    /// of the packed GEMM's 8 x 48 block: per k, `width` filter loads and eight broadcasts of
    /// x_i[k] (at src[(k / 16) * blockStride + 16 * i + k % 16]) feed 8 * `width` multiply-adds.
    /// into[j * 16 + i] = bias_j + sum over k of W_j[k] * x_i[k], block j's filters [c][16]
    /// `j * c * 16` floats after `filters`.
    @inline(__always)
    private static func octet<W: BlockWidth>(_: W.Type, _ src: UnsafePointer<Float>, blockStride: Int, kBlocks: Int,
                                             filters: UnsafePointer<Float>, c: Int, bias: UnsafePointer<Float>,
                                             into s: UnsafeMutablePointer<Lanes>) {
        let L = ConvPlan.laneCount, next = c * L, width = W.width
        let b0 = load(bias), b1 = width > 1 ? load(bias + L) : b0, b2 = width > 2 ? load(bias + 2 * L) : b0
        var a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0, a6 = b0, a7 = b0
        var d0 = b1, d1 = b1, d2 = b1, d3 = b1, d4 = b1, d5 = b1, d6 = b1, d7 = b1
        var e0 = b2, e1 = b2, e2 = b2, e3 = b2, e4 = b2, e5 = b2, e6 = b2, e7 = b2
        var xb = src, f = filters
        for _ in 0..<kBlocks {
            for kk in 0..<L {
                let q = xb + kk
                xai_prefetch(f + filterPrefetch)
                if width > 1 { xai_prefetch(f + next + filterPrefetch) }
                if width > 2 { xai_prefetch(f + 2 * next + filterPrefetch) }
                let f0 = load(f), f1 = width > 1 ? load(f + next) : f0, f2 = width > 2 ? load(f + 2 * next) : f0
                f += L
                @inline(__always) func pixel(_ x: Float, _ a: inout Lanes, _ d: inout Lanes, _ e: inout Lanes) {
                    let v = Lanes(repeating: x)
                    madd(&a, f0, v)
                    if width > 1 { madd(&d, f1, v) }
                    if width > 2 { madd(&e, f2, v) }
                }
                pixel(q[0], &a0, &d0, &e0); pixel(q[16], &a1, &d1, &e1)
                pixel(q[32], &a2, &d2, &e2); pixel(q[48], &a3, &d3, &e3)
                pixel(q[64], &a4, &d4, &e4); pixel(q[80], &a5, &d5, &e5)
                pixel(q[96], &a6, &d6, &e6); pixel(q[112], &a7, &d7, &e7)
            }
            xb += blockStride
        }
        s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5; s[6] = a6; s[7] = a7
        if width > 1 { s[16] = d0; s[17] = d1; s[18] = d2; s[19] = d3; s[20] = d4; s[21] = d5; s[22] = d6; s[23] = d7 }
        if width > 2 { s[32] = e0; s[33] = e1; s[34] = e2; s[35] = e3; s[36] = e4; s[37] = e5; s[38] = e6; s[39] = e7 }
    }

    /// Eight pixels x the first eight outputs of one block: `octet` for a last block whose other
    /// eight lanes are padding (Lite0's projections to 24 and 40 channels), each output summed in
    /// the same order, so the same bits. A 16-lane FMA issues as two 8-lane halves on Zen 4, so
    /// padding lanes cost as much as outputs: those projections multiplied 9.2 M padding values
    /// an image. The broadcasts are made again for this block (eight more loads a k), which the
    /// FMAs saved cover. Step profiles of fp32 LIME 1000, three alternations: Lite0's 56x56
    /// blocks 669-704 -> 577-640 and 732-741 -> 688-708 ms per 1,000 images.
    @inline(__always)
    private static func halfOctet(_ src: UnsafePointer<Float>, blockStride: Int, kBlocks: Int, filters: UnsafePointer<Float>,
                                  bias: UnsafePointer<Float>, into s: UnsafeMutablePointer<Lanes>) {
        typealias Half = SIMD8<Float>
        @inline(__always) func half(_ p: UnsafePointer<Float>) -> Half { UnsafeRawPointer(p).loadUnaligned(as: Half.self) }
        let b = half(bias)
        var a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b
        var xb = src, f = filters
        for _ in 0..<kBlocks {
            for kk in 0..<ConvPlan.laneCount {
                let q = xb + kk, w = half(f)
                f += ConvPlan.laneCount
                madd(&a0, w, Half(repeating: q[0])); madd(&a1, w, Half(repeating: q[16]))
                madd(&a2, w, Half(repeating: q[32])); madd(&a3, w, Half(repeating: q[48]))
                madd(&a4, w, Half(repeating: q[64])); madd(&a5, w, Half(repeating: q[80]))
                madd(&a6, w, Half(repeating: q[96])); madd(&a7, w, Half(repeating: q[112]))
            }
            xb += blockStride
        }
        s[0] = Lanes(lowHalf: a0, highHalf: .zero); s[1] = Lanes(lowHalf: a1, highHalf: .zero)
        s[2] = Lanes(lowHalf: a2, highHalf: .zero); s[3] = Lanes(lowHalf: a3, highHalf: .zero)
        s[4] = Lanes(lowHalf: a4, highHalf: .zero); s[5] = Lanes(lowHalf: a5, highHalf: .zero)
        s[6] = Lanes(lowHalf: a6, highHalf: .zero); s[7] = Lanes(lowHalf: a7, highHalf: .zero)
    }

    /// Sixteen pixels x one 16-output block: `octet` with sixteen accumulators, each output
    /// summed in the same order. into[i] = bias + sum over k of W[k] * x_i[k].
    @inline(__always)
    private static func tile(_ src: UnsafePointer<Float>, blockStride: Int, kBlocks: Int, filters: UnsafePointer<Float>,
                             bias: UnsafePointer<Float>, into s: UnsafeMutablePointer<Lanes>) {
        let b = load(bias)
        var a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b
        var a8 = b, a9 = b, a10 = b, a11 = b, a12 = b, a13 = b, a14 = b, a15 = b
        var xb = src, f = filters
        for _ in 0..<kBlocks {
            for kk in 0..<ConvPlan.laneCount {
                let q = xb + kk, w = load(f)
                f += ConvPlan.laneCount
                madd(&a0, w, Lanes(repeating: q[0])); madd(&a1, w, Lanes(repeating: q[16]))
                madd(&a2, w, Lanes(repeating: q[32])); madd(&a3, w, Lanes(repeating: q[48]))
                madd(&a4, w, Lanes(repeating: q[64])); madd(&a5, w, Lanes(repeating: q[80]))
                madd(&a6, w, Lanes(repeating: q[96])); madd(&a7, w, Lanes(repeating: q[112]))
                madd(&a8, w, Lanes(repeating: q[128])); madd(&a9, w, Lanes(repeating: q[144]))
                madd(&a10, w, Lanes(repeating: q[160])); madd(&a11, w, Lanes(repeating: q[176]))
                madd(&a12, w, Lanes(repeating: q[192])); madd(&a13, w, Lanes(repeating: q[208]))
                madd(&a14, w, Lanes(repeating: q[224])); madd(&a15, w, Lanes(repeating: q[240]))
            }
            xb += blockStride
        }
        s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4; s[5] = a5; s[6] = a6; s[7] = a7
        s[8] = a8; s[9] = a9; s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14; s[15] = a15
    }

    /// One pixel (x[k] at src[(k / 16) * blockStride + k % 16]) of one 16-output block as the
    /// packed GEMM's kernel for an item's last columns (columns8xN) sums it: four partial sums
    /// over k mod 4, added to the bias at the end.
    @inline(__always)
    private static func narrowColumn(_ src: UnsafePointer<Float>, blockStride: Int, kBlocks: Int,
                                     filters: UnsafePointer<Float>, bias: Lanes) -> Lanes {
        var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
        var xb = src, f = filters
        for _ in 0..<kBlocks {
            for kk in stride(from: 0, to: ConvPlan.laneCount, by: 4) {
                madd(&a0, load(f), Lanes(repeating: xb[kk]))
                madd(&a1, load(f + 16), Lanes(repeating: xb[kk + 1]))
                madd(&a2, load(f + 32), Lanes(repeating: xb[kk + 2]))
                madd(&a3, load(f + 48), Lanes(repeating: xb[kk + 3]))
                f += 64
            }
            xb += blockStride
        }
        return bias + ((a0 + a1) + (a2 + a3))
    }

    /// The first `count` (< 16) lanes of one output channel's row `v`: rectify(v) or
    /// rectify(v + residual), value by value as the GEMM finishes an item's last columns.
    private static func store(_ v: UnsafePointer<Lanes>, count: Int, _ rectify: Rectifier16, residual: UnsafePointer<Float>?,
                              into dst: UnsafeMutablePointer<Float>) {
        let r = v.pointee
        for i in 0..<count { dst[i] = rectify(residual.map { r[i] + $0[i] } ?? r[i]) }
    }
}

/// The number of 16-output blocks of a BlockedProjection octet, as a type: each width gets its
/// own specialised kernel without per-k branches (an Int argument was not constant-folded).
private protocol BlockWidth { static var width: Int { get } }
private enum One: BlockWidth { static var width: Int { 1 } }
private enum Two: BlockWidth { static var width: Int { 2 } }
private enum Three: BlockWidth { static var width: Int { 3 } }
