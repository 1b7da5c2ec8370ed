import CKernels
import XAICore

/// The fused expansion in bf16: the pass's expansion inputs are rounded and packed once (every
/// 16-channel block reads them), and each block's pixels run on CKernels' xai_bf16_expand_block
/// or, on a CPU with AMX, xai_amx_expand, which write into the depthwise kernel's block as
/// expandPixels does. The AMX kernel takes the inputs as pixel rows [pixel][k] (so that a tile's
/// sums are one pixel's 16 channels, the block's cell, with no transposition after the product),
/// the vdpbf16ps one as k pairs [k/2][pixel][2].
extension ExpandDepthwise {
    /// The expansion filters in bf16 by 16-channel block, [block][k/2][16][2], packed on first use;
    /// for AMX, k padded with zeros to a multiple of 32 (whole tile steps).
    var bf16Filters: BF16Rows {
        Precision.useAMX ? amx.get { blockFilters(k: xai_amx_kpad(expand.groupK)) } : bf16.get { blockFilters(k: expand.groupK) }
    }

    private func blockFilters(k kpad: Int) -> BF16Rows {
        let (m, k) = (expand.outChannels, expand.groupK)
        var weights = [Float](repeating: 0, count: m * kpad)
        for i in 0..<m { for j in 0..<k { weights[i * kpad + j] = expand.weights[i * k + j] } }
        return weights.withUnsafeBufferPointer { BF16Rows(weights: $0.baseAddress!, m: m, k: kpad, rowsPerPanel: ConvPlan.laneCount) }
    }

    /// Halves of a packed input of `pixels` pixels of depth k in workspace slot 5: AMX pixel rows
    /// carry 16 rows of slack, which a tile past the last pixel reads (and whose sums it drops).
    private static func packedInput(_ ws: Workspace, pixels: Int, k: Int) -> UnsafeMutablePointer<UInt16> {
        let count = Precision.useAMX ? (pixels + 16) * xai_amx_kpad(k) : (k + 1) / 2 * pixels * 2
        return UnsafeMutableRawPointer(ws.buffer(5, (count + 1) / 2)).bindMemory(to: UInt16.self, capacity: count)
    }

    /// `items` consecutive items' inputs x [item][k][pixels] as bf16 pairs [item][k/2][pixels][2]
    /// (AMX: pixel rows [item][pixels][kpad]) in workspace slot 5.
    static func packBF16(_ x: UnsafePointer<Float>, items: Int, k: Int, pixels: Int,
                         workspace ws: Workspace) -> UnsafePointer<UInt16> {
        let dst = packedInput(ws, pixels: items * pixels, k: k)
        if Precision.useAMX {
            let kpad = xai_amx_kpad(k), chunk = 256, chunks = (pixels + chunk - 1) / chunk
            Parallel.forRanges(items * chunks, grain: 4) { r in
                for t in r {
                    let (item, p) = (t / chunks, (t % chunks) * chunk)
                    xai_amx_pack_pixels(x + item * k * pixels + p, pixels, k, min(chunk, pixels - p),
                                        dst + (item * pixels + p) * kpad)
                }
            }
            return UnsafePointer(dst)
        }
        let k2 = (k + 1) / 2
        Parallel.forRanges(items * k2, grain: 8) { r in
            for t in r {
                let item = t / k2, p = t % k2
                xai_bf16_pack_columns(x + (item * k + 2 * p) * pixels, pixels, min(2, k - 2 * p), pixels, dst + t * pixels * 2)
            }
        }
        return UnsafePointer(dst)
    }

    /// A stem's im2col columns of one item x [C, h, w] as bf16 pairs [K/2][ho * wo][2] (AMX: pixel
    /// rows [ho * wo][kpad]) in workspace slot 5, what packBF16 makes of the float32 columns, read
    /// straight from the image output row by output row (the float32 columns, 1.35 MB per Lite0
    /// image, are never written). Through float rows (im2colRow, whose stride-2 gathers go lane
    /// by lane, then xai_bf16_pack_columns) Lite0's stem pairs took 0.140 ms of CPU an image,
    /// 2.7% of a bf16 LIME run (step profile); with xai_bf16_pack_taps (even lanes by permute,
    /// the same pairs) the stem step against the next block's went 1.34-1.44 -> 1.16-1.37x
    /// (four alternations of bf16 LIME 1000, step profiles).
    /// With AMX (xai_amx_pack_taps), 16 taps of 16 pixels at a time: 0.110 -> 0.066 ms per
    /// image on the Xeon, Lite0's stem step 0.378 -> 0.341 ms.
    static func im2colPairs(_ conv: ConvPlan, _ x: UnsafePointer<Float>, h: Int, w: Int, ho: Int, wo: Int,
                            workspace ws: Workspace) -> UnsafePointer<UInt16> {
        let dst = packedInput(ws, pixels: ho * wo, k: conv.groupK)
        let a = conv.attrs, kpad = Precision.useAMX ? xai_amx_kpad(conv.groupK) : 0
        var taps = xai_taps(c: conv.inChannels, h: h, w: w, kh: conv.kh, kw: conv.kw, sh: a.stride.h, sw: a.stride.w,
                            dh: a.dilation.h, dw: a.dilation.w, pt: a.pads.top, pl: a.pads.left)
        Parallel.forRanges(ho, grain: 4) { r in
            for oh in r {
                if Precision.useAMX {
                    xai_amx_pack_taps(x, &taps, oh, wo, dst + oh * wo * kpad)
                } else {
                    xai_bf16_pack_taps(x, &taps, oh, wo, ho, dst)
                }
            }
        }
        return UnsafePointer(dst)
    }

    /// Pixels `pixels` of 16-channel block `block` of item `item` of the packed input (pixel
    /// stride `ldx` between k pairs); pixel i's results go to the block cell `slots[i]`, or,
    /// with `pairRows`, rounded to bf16 into its half of the pair-row block. With AMX, `count`
    /// blocks from `block` on, block j's cells `next` vectors after block j - 1's.
    @inline(__always)
    func expandPixelsBF16(_ filters: BF16Rows, _ packed: UnsafePointer<UInt16>, item: Int, block b: Int, count: Int = 1,
                          next: Int = 0, pixels: Range<Int>, ldx: Int, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                          pairRows: DepthwisePairRows?, into block: UnsafeMutablePointer<SIMD16<Float>>) {
        let f = filters.data + b * filters.panelStride, bias = byBlock.bias + b * ConvPlan.laneCount
        if Precision.useAMX {
            // AMX passes run the depthwise conv in float32 (no pair rows): see `forward`.
            let x = packed + (item * ldx + pixels.lowerBound) * xai_amx_kpad(expand.groupK)
            let cells = UnsafeMutableRawPointer(block).assumingMemoryBound(to: Float.self)
            xai_amx_expand(count, expand.groupK, x, pixels.count, f, filters.panelStride, bias, xai_rectifier(rectify), slots,
                           cells, next * ConvPlan.laneCount)
            return
        }
        precondition(count == 1, "the vdpbf16ps expansion runs one block at a time")
        let x = packed + (item * filters.pairs * ldx + pixels.lowerBound) * 2
        if let pairRows {
            // Pixels whose cell-mate (the other row of its pair row) is in this chunk too go
            // two rows at a time, whole cells stored; the rest half by half.
            let halves = UnsafeMutableRawPointer(block).assumingMemoryBound(to: UInt16.self)
            let bounds = xai_rectifier(rectify)
            pairRows.forEachRun(in: pixels) { first, count, paired in
                let xi = x + (first - pixels.lowerBound) * 2, slots = pairRows.slots + first
                if paired {
                    xai_bf16_expand_row_pairs(filters.pairs, xi, ldx, pairRows.w, count, f, bias, bounds, slots, halves)
                } else {
                    xai_bf16_expand_pairs(filters.pairs, xi, ldx, count, f, bias, bounds, slots, halves)
                }
            }
        } else {
            let cells = UnsafeMutableRawPointer(block).assumingMemoryBound(to: Float.self)
            xai_bf16_expand_block(filters.pairs, x, ldx, pixels.count, f, bias, xai_rectifier(rectify), slots, cells)
        }
    }
}

/// In a bf16 pass the block's projection takes the depthwise result as bf16 channel pairs, which
/// the step's pixel vectors already hold side by side: rounding them there replaces both the
/// float32 store and the projection's read-and-pack of every column tile (about 14% of a bf16
/// Lite0 pass). The pairs are exactly what packing the float32 output would give.
extension ExpandDepthwise {
    /// `forwardProjected` in a bf16 pass: the depthwise output of `shape` handed on as pairs.
    func forwardProjectedBF16(_ x: Tensor, shape: [Int], project: ConvPlan, residual: Tensor?, workspace ws: Workspace) -> Tensor {
        let count = PackedGEMM.blockHalves(k: shape[1], n: shape[0] * shape[2] * shape[3])
        let pairs = UnsafeMutableRawPointer(ws.buffer(6, (count + 1) / 2)).bindMemory(to: UInt16.self, capacity: count)
        forward(x, workspace: ws, into: .pairs(pairs))
        return project.forwardPointwise(pairs: pairs, shape: shape, residual: residual, workspace: ws)
    }

    /// The pixel vectors of pixels `first` ..< `first + count` (numbered across items: columns
    /// run on across items, so a 7x7 map's 49 pixels take 1.5 column blocks, not 2) of channels
    /// `channel` ..< `channel` + 16 (of `channels`) -> their pairs in `pairs`, the column blocks
    /// of all items' pixels (PackedGEMM.blockHalves); the last channel block also zeroes AMX's
    /// padding past the channels.
    @inline(__always)
    static func scatterPairs(_ cells: UnsafePointer<Lanes>, first: Int, count: Int, channel: Int, of channels: Int,
                             into pairs: UnsafeMutablePointer<UInt16>) {
        let f = UnsafeRawPointer(cells).assumingMemoryBound(to: Float.self)
        let kp2 = PackedGEMM.blockPairs(k: channels), last = channel + ConvPlan.laneCount == channels
        xai_bf16_scatter_blocks(f, first, count, pairs + channel / 2 * 64, kp2, last ? kp2 - channels / 2 : 0)
    }
}

extension ConvPlan {
    /// A pointwise group-1 conv in bf16 on input already in bf16 pairs (the column blocks of all
    /// items' pixels, PackedGEMM.blockHalves) for an input of `shape` [N, C, H, W] (C a multiple of 16): one
    /// product over the pixels of all items, `residual` included.
    func forwardPointwise(pairs: UnsafePointer<UInt16>, shape: [Int], residual: Tensor? = nil, workspace ws: Workspace) -> Tensor {
        let (n, c, pixels) = (shape[0], shape[1], shape[2] * shape[3])
        precondition(isPointwise && groups == 1 && c % 2 == 0 && packed != nil)
        return ws.tensor(outputShape(shape)) { y, _ in
            residual.withDataPointer { rp in
                PackedGEMM.multiply(packed!, pairs: pairs, n: n * pixels, rectify: Rectifier16(activation),
                                    into: ColumnDestination(base: y, itemColumns: pixels, channels: outChannels, residual: rp))
            }
        }
    }
}
