import CKernels
import Foundation
import XAICore

/// Group-1 convolutions wider than 1x1 (3x3 at any stride, ResNet's 7x7 stem) computed directly,
/// NCHW in and out: each input value is broadcast against the taps of 16 output channels
/// (CKernels' xai_direct_segment), one output-row segment of up to 14 pixels x 32 channels (or
/// 7 x 48) in registers over the whole sum, then stored as channel rows. No im2col matrix is
/// written or read, and the work splits across the cores by channel block and output row, not by
/// GEMM tile.
///
/// Why: at batch 1 im2col + the packed GEMM ran ResNet-50's 3x3 convs at 45-55 G multiply-adds
/// a second per core (a 14x14 layer's im2col B is 2304 x 196, and its 32-column tiles re-read
/// the 2.4 MB of filters from L3 once each), where this kernel runs the same layers at 111-120
/// on one core (C microbenchmark, 14x14 / 28x28 / 56x56 stride 1 and 2; 101 on 7x7 maps with
/// 3 x 7 blocks). ONNX Runtime's NCHWc convolutions work the same way.
///
/// Each output sums its k terms in the im2col order (channel, kernel row, kernel column), from
/// the bias, with fused multiply-adds, as the packed GEMM's 48-, 32- and 16-column blocks do:
/// results equal that path's to the bit where it runs those, and differ in the last bits on the
/// few columns its narrow tail kernel takes (DirectConvolutionTests).
enum DirectConvolution {
    /// Whether the kernel can run here (AVX-512; `XAI_DIRECT=0` keeps im2col + GEMM).
    static let available = xai_direct_supported() != 0 && ProcessInfo.processInfo.environment["XAI_DIRECT"] != "0"
    /// `available`, unless a test switched it off to run the im2col reference (between passes).
    static var enabled = available

    /// Upper bound on one chunk's zero-padded input copy (floats).
    static let maxPaddedFloats = 1 << 22

    /// A convolution as the kernel sees it: C inputs, M outputs, kernel, stride, leading pads.
    struct Geometry {
        let c: Int, m: Int
        let kh: Int, kw: Int
        let sh: Int, sw: Int
        let padTop: Int, padLeft: Int
    }

    /// y [n, M, ho, wo] = rectify(conv(x [n, C, h, w]) + bias) on `filters`.
    static func run(_ geo: Geometry, _ x: UnsafePointer<Float>, n: Int, h: Int, w: Int, ho: Int, wo: Int,
                    filters: BlockFilters, rectify: Rectifier16, into y: UnsafeMutablePointer<Float>, workspace ws: Workspace) {
        let (c, m, sh, sw, L) = (geo.c, geo.m, geo.sh, geo.sw, ConvPlan.laneCount)
        // The padded plane covers every input any output reads: rows past it are never read.
        let (ph, pw) = ((ho - 1) * sh + geo.kh, (wo - 1) * sw + geo.kw)
        let plane = ph * pw
        // Wide maps: 2 blocks x 14 pixels; 7-wide and narrower: 3 blocks x the row.
        let width = wo >= 8 ? 14 : wo, perGroup = wo >= 8 ? 2 : 3
        let blocks = filters.blocks, groups = (blocks + perGroup - 1) / perGroup
        let per = max(1, min(n, maxPaddedFloats / max(1, c * plane)))
        // A conv that reads exactly its input (stride 1, no padding) reads it in place.
        let inPlace = ph == h && pw == w && geo.padTop == 0 && geo.padLeft == 0
        var n0 = 0
        while n0 < n {
            let cnt = min(per, n - n0)
            let padded = inPlace ? UnsafeMutablePointer(mutating: x + n0 * c * plane) : ws.buffer(0, cnt * c * plane)
            if !inPlace {
                Parallel.forRanges(cnt * c, grain: 8) { r in
                    for t in r {
                        pad(x + (n0 * c + t) * h * w, h: h, w: w, top: geo.padTop, left: geo.padLeft,
                            into: padded + t * plane, ph: ph, pw: pw)
                    }
                }
            }
            // Enough units for a few per core: a group's rows in chunks.
            let wanted = Parallel.cores * Parallel.chunksPerCore * 2
            let rowChunks = min(ho, max(1, (wanted + cnt * groups - 1) / (cnt * groups)))
            let bounds = xai_rectifier(rectify)
            // Maps with more input than filters (56x56, 28x28) go to the cores by output rows
            // first, so each core reads the rows that the previous layer's pixel tiles left in
            // its own cache (the pool hands each thread the same share of every loop), and the
            // 56x56 -> 28x28 3x3/2 conv of ResNet-50 took 0.64 ms against 0.89 at batch 1;
            // deeper layers go by channel block first, so each core reads half the filters.
            let byRows = h * w > m * geo.kh * geo.kw
            Parallel.forRanges(cnt * groups * rowChunks) { r in
                for u in r {
                    let i = u / (groups * rowChunks), v = u % (groups * rowChunks)
                    let (g, rc) = byRows ? (v % groups, v / groups) : (v / rowChunks, v % rowChunks)
                    let b0 = g * perGroup, nb = min(perGroup, blocks - b0)
                    let src = padded + i * c * plane, lanes = min(L, m - (b0 + nb - 1) * L)
                    for oy in (ho * rc / rowChunks)..<(ho * (rc + 1) / rowChunks) {
                        var x0 = 0
                        while x0 < wo {
                            let count = min(width, wo - x0)
                            xai_direct_segment(nb, count, c, src + oy * sh * pw + x0 * sw, plane, pw, sw, geo.kh, geo.kw,
                                               filters.data + b0 * filters.blockStride, filters.blockStride,
                                               filters.bias + b0 * L, bounds, lanes,
                                               y + (((n0 + i) * m + b0 * L) * ho + oy) * wo + x0, ho * wo)
                            x0 += count
                        }
                    }
                }
            }
            n0 += cnt
        }
    }

    /// One input plane [h, w] into its zero-padded copy [ph, pw], `top` rows and `left` columns
    /// of zeros before it.
    private static func pad(_ src: UnsafePointer<Float>, h: Int, w: Int, top: Int, left: Int,
                            into dst: UnsafeMutablePointer<Float>, ph: Int, pw: Int) {
        dst.initialize(repeating: 0, count: ph * pw)
        let rows = min(h, ph - top), columns = min(w, pw - left)
        guard rows > 0, columns > 0 else { return }
        for iy in 0..<rows {
            (dst + (iy + top) * pw + left).update(from: src + iy * w, count: columns)
        }
    }
}

extension ConvPlan {
    /// Whether the forward runs on DirectConvolution: a group-1 conv wider than 1x1, without
    /// dilation, in a float32 pass, on a CPU with the kernel, unless Winograd does better.
    /// Strided 1x1 convs stay on im2col, which copies only the pixels they read (ResNet-50's
    /// 56x56 downsample took 1.6 ms here against 0.7, its padded copy being the whole input), and
    /// pointwise ones on the packed GEMM: run here, reading their input in place, every one of
    /// ResNet-50's was slower at batch 1 (1x1 256->128 on 56x56 1.75 against 0.72 ms, 1024->256
    /// on 14x14 0.42 against 0.36).
    func runsDirect(ho: Int, wo: Int, _ ws: Workspace) -> Bool {
        directCapable(ws) && preferredWinograd(ho: ho, wo: wo, ws) == nil
    }

    /// Whether the input gradient runs on DirectConvolution (maps ho x wo of dx): as the
    /// forward, but F(2x2, 3x3) has no input-gradient path.
    func runsDirectBackward(ho: Int, wo: Int, _ ws: Workspace) -> Bool {
        directCapable(ws) && preferredWinograd(ho: ho, wo: wo, ws) != .four
    }

    private func directCapable(_ ws: Workspace) -> Bool {
        DirectConvolution.enabled && groups == 1 && kh * kw > 1 && ws.precision == .fp32 && attrs.dilation == (1, 1)
    }

    /// The Winograd variant that beats the direct kernel on output maps ho x wo, or nil.
    /// F(4x4, 3x3)'s 4x fewer multiply-adds win once its 36 products are deep and wide enough:
    /// 64 channels or more and 32 blocks (a 28x28 map) per item. Step profiles of ResNet-50 (ms,
    /// direct / Winograd): batch 1, 28x28x128 0.59 / 0.68, 14x14x256 0.60 / 0.97
    /// (im2col; Winograd wants 32 columns); micro-batches of two images, 28x28x128 2.12 / 1.81,
    /// the others still faster direct. Measured again since (the transforms take their
    /// temporaries from per-thread scratch now), 56x56x64 goes to Winograd too: the three
    /// layers, min of three alternations, batch 1 1.61 / 1.44, micro-batches of two 3.11 / 2.84.
    /// F(2x2, 3x3) (2.25x fewer) takes maps of at least 32 of its 2x2 blocks where F(4x4) has
    /// too few, with 256 channels or more: ResNet-50's 14x14x256 layers (49 blocks a product).
    /// The rule depends on an item's map, not on the item count, so an image's result does not
    /// depend on its batch.
    func preferredWinograd(ho: Int, wo: Int, _ ws: Workspace) -> WinogradTile? {
        guard winograd != nil, !ws.exactLocality else { return nil }
        func blocks(_ t: WinogradTile) -> Int { ((ho + t.block - 1) / t.block) * ((wo + t.block - 1) / t.block) }
        if inChannels >= 64 && blocks(.four) >= 32 { return .four }
        if inChannels >= 256 && blocks(.two) >= 32 && directCapable(ws) { return .two }
        return nil
    }

    /// Forward on DirectConvolution when `runsDirect`; else nil.
    func directForward(_ x: Tensor, workspace ws: Workspace) -> Tensor? {
        guard x.shape.count == 4 else { return nil }
        let yShape = outputShape(x.shape)
        guard yShape[2] > 0, yShape[3] > 0, runsDirect(ho: yShape[2], wo: yShape[3], ws) else { return nil }
        let filters = direct.get { BlockFilters(self) }
        let geo = DirectConvolution.Geometry(c: inChannels, m: outChannels, kh: kh, kw: kw, sh: attrs.stride.h,
                                             sw: attrs.stride.w, padTop: attrs.pads.top, padLeft: attrs.pads.left)
        return ws.tensor(yShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                DirectConvolution.run(geo, xb.baseAddress!, n: x.shape[0], h: x.shape[2], w: x.shape[3], ho: yShape[2],
                                      wo: yShape[3], filters: filters, rectify: Rectifier16(activation), into: y, workspace: ws)
            }
        }
    }

    /// dx of a stride-1 conv on DirectConvolution (where its forward would run there): the conv of
    /// dy with the flipped, transposed filters W'[c][m][kh-1-i][kw-1-j] = W[m][c][i][j] and
    /// padding kernel - 1 - pad on each side; else nil. Each dx value sums its m * kH * kW terms
    /// in that order, as the transposed-filter GEMM and col2im do not, so the two differ in the
    /// last bits (DirectConvolutionTests prints by how much).
    func directBackwardInput(_ dy: Tensor, inputShape: [Int], workspace ws: Workspace) -> Tensor? {
        let p = attrs.pads
        guard attrs.stride == (1, 1), dy.shape.count == 4, inputShape.count == 4,
              max(p.top, p.bottom) < kh, max(p.left, p.right) < kw,
              runsDirectBackward(ho: inputShape[2], wo: inputShape[3], ws) else { return nil }
        let (c, m, taps) = (inChannels, outChannels, kh * kw)
        let filters = directBackward.get {
            var flipped = [Float](repeating: 0, count: c * m * taps)
            for o in 0..<m {
                for i in 0..<c {
                    for t in 0..<taps { flipped[(i * m + o) * taps + taps - 1 - t] = weights[(o * c + i) * taps + t] }
                }
            }
            return BlockFilters(weights: flipped, bias: nil, m: c, k: m * taps)
        }
        let geo = DirectConvolution.Geometry(c: m, m: c, kh: kh, kw: kw, sh: 1, sw: 1, padTop: kh - 1 - p.top,
                                             padLeft: kw - 1 - p.left)
        return ws.tensor(inputShape) { dx, _ in
            dy.data.withUnsafeBufferPointer { db in
                DirectConvolution.run(geo, db.baseAddress!, n: dy.shape[0], h: dy.shape[2], w: dy.shape[3],
                                      ho: inputShape[2], wo: inputShape[3], filters: filters, rectify: Rectifier16(nil),
                                      into: dx, workspace: ws)
            }
        }
    }
}
