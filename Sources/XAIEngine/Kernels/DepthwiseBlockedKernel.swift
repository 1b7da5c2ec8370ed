import CKernels
import XAICore

/// Depthwise convolution vectorised across channels. Row-vectorised loops waste lanes on the
/// small maps of MobileNet / EfficientNet blocks (a 7-wide row fills 7 of 8 lanes) and pay
/// per-row overheads; here 16 channels are transposed into a zero-padded [row][column][16]
/// block, so every tap of every output pixel is one full 16-lane multiply-add whatever the
/// stride, dilation or padding, and the result is transposed back to NCHW (16x16 at a time).
/// Rows of stride 1 or 2 and kernel width 3 or 5 slide eight outputs past each kernel row's
/// inputs held in registers; with that, this kernel also beats a row kernel on 112x112 maps
/// (measured on Lite0's first depthwise layer: 185 against 255 ms per 500 images).
extension ConvPlan {
    typealias Lanes = SIMD16<Float>
    static let laneCount = 16

    /// The depthwise conv of x [N, C, H, W]. `masks` serve the input gradient of a stride-1
    /// depthwise conv, which is this forward with rotated filters on dy (DepthwiseConvKernel.swift):
    /// `masks.input` masks x as it is gathered, `masks.output` the result as it is scattered.
    func depthwiseForwardBlocked(_ x: Tensor, workspace ws: Workspace, masks: GradientMasks = GradientMasks()) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let yShape = outputShape(x.shape)
        let L = Self.laneCount
        let setup = BlockedSetup(self, channels: c, h: h, w: w, ho: yShape[2], wo: yShape[3])
        let outPixels = yShape[2] * yShape[3]
        return ws.tensor(yShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
            masks.withPlanes { inMask, outMask in
                setup.forEachBlock(items: n) { b, block, out in
                    let item = b / setup.blocks, c0 = (b % setup.blocks) * L, lanes = min(L, c - c0)
                    Self.gatherChannels(xb.baseAddress! + (item * c + c0) * h * w, planeStride: h * w, lanes: lanes,
                                        count: h * w, slots: setup.inputSlots, into: block,
                                        masked: inMask?.advanced(by: (item * c + c0) * h * w))
                    setup.compute(block: b, plane: block, into: out)
                    Self.scatterChannels(out, count: outPixels, lanes: lanes,
                                         into: y + (item * c + c0) * outPixels, planeStride: outPixels,
                                         masked: outMask?.advanced(by: (item * c + c0) * outPixels))
                }
            }}
        }
    }

    /// What every 16-channel block of one depthwise call shares: filters and biases
    /// interleaved by block ([block][tap][16], [block][16], zero past the last channel), where
    /// each input pixel goes in the zero-padded block, and each tap's offset in it.
    final class BlockedSetup {
        let plan: ConvPlan
        let geometry: BlockedGeometry
        let blocks: Int
        let paddedPixels: Int
        let filters: UnsafeMutablePointer<Float>
        let biases: UnsafeMutablePointer<Float>
        let inputSlots: UnsafeMutablePointer<Int>
        let tapOffsets: UnsafeMutablePointer<Int>

        init(_ plan: ConvPlan, channels c: Int, h: Int, w: Int, ho: Int, wo: Int) {
            let a = plan.attrs, L = ConvPlan.laneCount, taps = plan.kh * plan.kw
            let (hp, wp) = plan.paddedSize(h: h, w: w, ho: ho, wo: wo)
            self.plan = plan
            blocks = (c + L - 1) / L
            paddedPixels = hp * wp
            geometry = BlockedGeometry(h: h, w: w, ho: ho, wo: wo, wp: wp, sh: a.stride.h, sw: a.stride.w, taps: taps)
            filters = .allocate(capacity: blocks * taps * L)
            filters.initialize(repeating: 0, count: blocks * taps * L)
            biases = .allocate(capacity: blocks * L)
            biases.initialize(repeating: 0, count: blocks * L)
            plan.interleaveFilters(channels: c, into: filters)
            for ch in 0..<c { biases[ch] = plan.bias?[ch] ?? 0 }
            inputSlots = .allocate(capacity: h * w)
            for ih in 0..<h { for iw in 0..<w { inputSlots[ih * w + iw] = (ih + a.pads.top) * wp + iw + a.pads.left } }
            tapOffsets = .allocate(capacity: taps)
            for ki in 0..<plan.kh {
                for kj in 0..<plan.kw { tapOffsets[ki * plan.kw + kj] = ki * a.dilation.h * wp + kj * a.dilation.w }
            }
        }

        deinit {
            filters.deallocate()
            biases.deallocate()
            inputSlots.deallocate()
            tapOffsets.deallocate()
        }

        /// Runs `body(block index, padded input block, output block)` for every (item, block)
        /// pair, in parallel. Only the padding cells of each worker's block are zeroed, once:
        /// the gathers overwrite every other cell (zeroing whole 112x112 blocks was 1.7% of a
        /// Lite0 forward). `grain`: blocks per worker chunk at least (each chunk sets up a block).
        /// `zeroing`: zeroes a block laid out otherwise (DepthwisePairRows) instead.
        func forEachBlock(items n: Int, grain: Int = 2, zeroing: ((UnsafeMutableRawPointer) -> Void)? = nil,
                          _ body: (Int, UnsafeMutablePointer<Lanes>, UnsafeMutablePointer<Lanes>) -> Void) {
            forEachBlockGroup(items: n, width: 1, grain: grain, zeroing: zeroing) { b, _, _, block in
                body(b, block, block + paddedPixels)
            }
        }

        /// Cells from one block's padded input to the next block's in a group: the
        /// padded input, then the output block.
        var groupStride: Int { paddedPixels + geometry.ho * geometry.wo }

        /// Groups of up to `width` consecutive blocks per item.
        func groups(width: Int) -> Int { (blocks + width - 1) / width }

        /// `forEachBlock` over groups of up to `width` consecutive blocks of one item:
        /// `body(first block index, blocks in the group, part, first padded block)`, block j's
        /// padded input at `stride * j` and its output `paddedPixels` after that. With
        /// `parts` > 1 each group is `parts` units, one per part of its output rows. A `stride`
        /// other than `groupStride` is a layout of the caller's, which `zeroing` prepares.
        func forEachBlockGroup(items n: Int, width: Int, parts: Int = 1, grain: Int = 2, stride: Int? = nil,
                               zeroing: ((UnsafeMutableRawPointer) -> Void)? = nil,
                               _ body: (Int, Int, Int, UnsafeMutablePointer<Lanes>) -> Void) {
            let g = geometry, stride = stride ?? groupStride
            precondition(stride == groupStride || zeroing != nil, "a layout of the caller's needs its zeroing")
            let (top, left) = (plan.attrs.pads.top, plan.attrs.pads.left)
            let rows = zeroing == nil ? paddedPixels / g.wp : 0
            let groups = groups(width: width)
            Parallel.forRanges(n * groups * parts, grain: grain) { range in
                Scratch.with(Lanes.self, count: stride * width) { buffers in
                    for j in 0..<width {
                        let block = buffers + j * stride
                        zeroing?(UnsafeMutableRawPointer(block))
                        for r in 0..<rows {
                            let row = block + r * g.wp
                            if r < top || r >= top + g.h {
                                row.initialize(repeating: Lanes(), count: g.wp)
                            } else {
                                row.initialize(repeating: Lanes(), count: left)
                                (row + left + g.w).initialize(repeating: Lanes(), count: g.wp - left - g.w)
                            }
                        }
                    }
                    for u in range {
                        let (item, group, part) = (u / (groups * parts), u / parts % groups, u % parts)
                        body(item * blocks + group * width, min(width, blocks - group * width), part, buffers)
                    }
                }
            }
        }

        /// Output rows `rows` (all by default) of block `b` (item-major index) from its padded
        /// input block.
        @inline(__always)
        func compute(block b: Int, plane: UnsafePointer<Lanes>, rows: Range<Int>? = nil, into out: UnsafeMutablePointer<Lanes>) {
            let k = b % blocks
            plan.blockedPlane(plane, geometry, rows: rows ?? 0..<geometry.ho, filters: filters + k * geometry.taps * ConvPlan.laneCount,
                              bias: biases + k * ConvPlan.laneCount, offsets: tapOffsets, into: out)
        }
    }

    /// The filters of `c` channels by 16-channel block, [block][tap][16], into `filters`
    /// (zeroed beforehand: lanes past the last channel stay zero).
    func interleaveFilters(channels c: Int, into filters: UnsafeMutablePointer<Float>) {
        let L = Self.laneCount, taps = kh * kw
        for ch in 0..<c { for t in 0..<taps { filters[(ch / L * taps + t) * L + ch % L] = weights[ch * taps + t] } }
    }

    struct BlockedGeometry {
        let h, w, ho, wo, wp, sh, sw, taps: Int
    }

    /// All output pixels of one 16-channel block: sliding rows of eight where they apply (see
    /// `slidingRow8`), else four neighbouring pixels of a row share each tap's filter load; a
    /// row's last group is moved left to end at the row's end.
    @inline(__always)
    func blockedPlane(_ src: UnsafePointer<Lanes>, _ g: BlockedGeometry, rows: Range<Int>, filters: UnsafePointer<Float>,
                      bias: UnsafePointer<Float>, offsets: UnsafePointer<Int>, into out: UnsafeMutablePointer<Lanes>) {
        let filt = UnsafeRawPointer(filters)
        let b = UnsafeRawPointer(bias).loadUnaligned(as: Lanes.self)
        let act = Rectifier16(activation)
        let sw = g.sw
        let slides = attrs.dilation.w == 1 && g.wo >= 7 && (sw == 1 || sw == 2) && (kw == 3 || kw == 5)
        // Rows of 7, 14 and 28 outputs go seven at a time: in eights, whose last group ends at
        // the row's end, they computed 8, 16 and 32 (an eighth of the depthwise work on Lite0's
        // maps from 28x28 down).
        let sevens = g.wo % 7 == 0 && g.wo % 8 != 0
        for oh in rows {
            let row = src + oh * g.sh * g.wp
            let dst = out + oh * g.wo
            if slides {
                var ow = 0
                while ow < g.wo {
                    if sevens {
                        slidingRow8(row + ow * sw, filters: filters, bias: b, rowStride: attrs.dilation.h * g.wp, act,
                                    into: dst + ow, count: 7, width: 7)
                        ow += 7
                        continue
                    }
                    // A row's last eight end at its end.
                    let o = max(0, min(ow, g.wo - 8))
                    slidingRow8(row + o * sw, filters: filters, bias: b, rowStride: attrs.dilation.h * g.wp, act,
                                into: dst + o, count: min(8, g.wo - o), width: 8)
                    ow = o + 8
                }
                continue
            }
            if g.wo < 4 {
                for ow in 0..<g.wo {
                    var a0 = b
                    let p = row + ow * sw
                    for t in 0..<g.taps { madd(&a0, filt.loadUnaligned(fromByteOffset: t * 64, as: Lanes.self), p[offsets[t]]) }
                    dst[ow] = act(a0)
                }
                continue
            }
            var ow = 0
            while ow < g.wo {
                let o = min(ow, g.wo - 4)
                var a0 = b, a1 = b, a2 = b, a3 = b
                let p = row + o * sw
                for t in 0..<g.taps {
                    let f = filt.loadUnaligned(fromByteOffset: t * 64, as: Lanes.self), q = p + offsets[t]
                    madd(&a0, f, q[0])
                    madd(&a1, f, q[sw])
                    madd(&a2, f, q[2 * sw])
                    madd(&a3, f, q[3 * sw])
                }
                dst[o] = act(a0); dst[o + 1] = act(a1); dst[o + 2] = act(a2); dst[o + 3] = act(a3)
                ow = o + 4
            }
        }
    }

    /// Eight (`width` 8) or seven (7, a constant where inlined) neighbouring outputs of a row,
    /// stride 1 or 2 and kernel width 3 or 5: each kernel row's 9 to 19 input vectors are loaded
    /// once and slid past its filter vectors, so the FMAs outnumber the loads up to 3:1 (one
    /// filter and four input loads per four FMAs in the general loop, which left the kernel
    /// waiting on loads). The first `count` are stored. Each output sums its taps in the same
    /// order in either width.
    @inline(__always)
    private func slidingRow8(_ src: UnsafePointer<Lanes>, filters: UnsafePointer<Float>, bias: Lanes, rowStride: Int,
                             _ act: Rectifier16, into dst: UnsafeMutablePointer<Lanes>, count: Int, width: Int) {
        let f = UnsafeRawPointer(filters)
        @inline(__always) func filter(_ t: Int) -> Lanes { f.loadUnaligned(fromByteOffset: t * 64, as: Lanes.self) }
        var a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias
        @inline(__always) func tap(_ w: Lanes, _ x0: Lanes, _ x1: Lanes, _ x2: Lanes, _ x3: Lanes,
                                   _ x4: Lanes, _ x5: Lanes, _ x6: Lanes, _ x7: Lanes) {
            madd(&a0, w, x0); madd(&a1, w, x1); madd(&a2, w, x2); madd(&a3, w, x3)
            madd(&a4, w, x4); madd(&a5, w, x5); madd(&a6, w, x6)
            if width == 8 { madd(&a7, w, x7) }
        }
        if attrs.stride.w == 2 {
            // The eight outputs read inputs 0...16 (width 3) or 0...18 (width 5).
            for ki in 0..<kh {
                let q = src + ki * rowStride, t = ki * kw
                let x0 = q[0], x1 = q[1], x2 = q[2], x3 = q[3], x4 = q[4], x5 = q[5], x6 = q[6], x7 = q[7], x8 = q[8]
                let x9 = q[9], x10 = q[10], x11 = q[11], x12 = q[12], x13 = q[13], x14 = q[14], x15 = q[15], x16 = q[16]
                tap(filter(t), x0, x2, x4, x6, x8, x10, x12, x14)
                tap(filter(t + 1), x1, x3, x5, x7, x9, x11, x13, x15)
                tap(filter(t + 2), x2, x4, x6, x8, x10, x12, x14, x16)
                if kw == 5 {
                    let x17 = q[17], x18 = q[18]
                    tap(filter(t + 3), x3, x5, x7, x9, x11, x13, x15, x17)
                    tap(filter(t + 4), x4, x6, x8, x10, x12, x14, x16, x18)
                }
            }
        } else {
            for ki in 0..<kh {
                let q = src + ki * rowStride, t = ki * kw
                let x0 = q[0], x1 = q[1], x2 = q[2], x3 = q[3], x4 = q[4], x5 = q[5], x6 = q[6], x7 = q[7]
                let x8 = q[8], x9 = q[9]
                tap(filter(t), x0, x1, x2, x3, x4, x5, x6, x7)
                tap(filter(t + 1), x1, x2, x3, x4, x5, x6, x7, x8)
                tap(filter(t + 2), x2, x3, x4, x5, x6, x7, x8, x9)
                if kw == 5 {
                    let x10 = q[10], x11 = q[11]
                    tap(filter(t + 3), x3, x4, x5, x6, x7, x8, x9, x10)
                    tap(filter(t + 4), x4, x5, x6, x7, x8, x9, x10, x11)
                }
            }
        }
        dst[0] = act(a0); dst[1] = act(a1); dst[2] = act(a2); dst[3] = act(a3)
        dst[4] = act(a4); dst[5] = act(a5); dst[6] = act(a6)
        if count == 8 { dst[7] = act(a7) }
    }

    /// `lanes` channel planes (`base + i * planeStride`) -> pixel vectors at `slots` (pixel
    /// index -> cell of the padded block); lanes past `lanes` stay zero. `masked`: each value
    /// goes through a rectifier's gradient mask on the way (its planes laid out like `base`'s).
    static func gatherChannels(_ base: UnsafePointer<Float>, planeStride: Int, lanes: Int, count: Int,
                               slots: UnsafePointer<Int>, into block: UnsafeMutablePointer<Lanes>,
                               masked: MaskedPlanes? = nil) {
        let L = laneCount
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
        var k = 0
        if lanes == L {
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: L) { tb in
                let t = tb.baseAddress!
                while k + L <= count {
                    Self.prefetchPlanes(base + k + prefetchAhead, planeStride: planeStride)
                    if let masked {
                        Self.prefetchPlanes(masked.ref + k + prefetchAhead, planeStride: planeStride)
                        masked.mask.apply(base + k, srcStride: planeStride, ref: masked.ref + k, refStride: planeStride,
                                          into: UnsafeMutableRawPointer(t).assumingMemoryBound(to: Float.self), dstStride: L, count: L)
                    } else {
                        for i in 0..<L { t[i] = load(base + i * planeStride + k) }
                    }
                    transpose16(t)
                    for j in 0..<L { block[slots[k + j]] = t[j] }
                    k += L
                }
            }
        }
        while k < count {
            var v = Lanes()
            for i in 0..<lanes {
                let g = base[i * planeStride + k]
                v[i] = masked.map { $0.mask(g, ref: $0.ref[i * planeStride + k]) } ?? g
            }
            block[slots[k]] = v
            k += 1
        }
    }

    /// Pixel vectors -> `lanes` channel planes (`base + i * planeStride`); other lanes are
    /// dropped. `masked`: each value goes through a gradient mask on the way, as in `gatherChannels`.
    static func scatterChannels(_ block: UnsafePointer<Lanes>, count: Int, lanes: Int,
                                into base: UnsafeMutablePointer<Float>, planeStride: Int, masked: MaskedPlanes? = nil) {
        let L = laneCount
        var k = 0
        if lanes == L {
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: L) { tb in
                let t = tb.baseAddress!
                while k + L <= count {
                    Self.prefetchPlanes(base + k + prefetchAhead, planeStride: planeStride)
                    for j in 0..<L { t[j] = block[k + j] }
                    transpose16(t)
                    if let masked {
                        Self.prefetchPlanes(masked.ref + k + prefetchAhead, planeStride: planeStride)
                        masked.mask.apply(UnsafeRawPointer(t).assumingMemoryBound(to: Float.self), srcStride: L, ref: masked.ref + k,
                                          refStride: planeStride, into: base + k, dstStride: planeStride, count: L)
                    } else {
                        for i in 0..<L { UnsafeMutableRawPointer(base + i * planeStride + k).storeBytes(of: t[i], as: Lanes.self) }
                    }
                    k += L
                }
            }
        }
        while k < count {
            let v = block[k]
            for i in 0..<lanes { base[i * planeStride + k] = masked.map { $0.mask(v[i], ref: $0.ref[i * planeStride + k]) } ?? v[i] }
            k += 1
        }
    }

    /// How far ahead (floats: four tiles) the channel moves ask for the lines of their 16
    /// planes. A move reads or writes 16 planes at once, 32 with a mask's reference planes, more
    /// streams than the hardware prefetcher follows, and in a forward+backward pass those planes
    /// come from memory (the activations a forward kept). Step profiles of meaningful
    /// perturbation on Lite0, three alternations, ms per 100 images: the stride-2 depthwise
    /// input gradient 157-162 -> 88-95, the 56x56 one 83-85 -> 54-60, all steps 2492-2533 ->
    /// 2279-2314; 32 and 128 floats ahead did less.
    static let prefetchAhead = 64

    /// Asks for the line at `p` in each of 16 planes.
    @inline(__always)
    static func prefetchPlanes(_ p: UnsafePointer<Float>, planeStride: Int) {
        for i in 0..<laneCount { xai_prefetch(p + i * planeStride) }
    }

    /// In-place transpose of a 16x16 tile (row i = t[i]): four rounds of pairing rows and
    /// splitting even and odd lanes, each moving one bit of the column index into the row index.
    @inline(__always)
    static func transpose16(_ t: UnsafeMutablePointer<Lanes>) {
        for _ in 0..<4 {
            var next = (Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(),
                        Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes())
            withUnsafeMutableBytes(of: &next) { raw in
                let nx = raw.baseAddress!.assumingMemoryBound(to: Lanes.self)
                for j in 0..<8 {
                    let pair = SIMD32<Float>(lowHalf: t[2 * j], highHalf: t[2 * j + 1])
                    nx[j] = pair.evenHalf
                    nx[j + 8] = pair.oddHalf
                }
                for i in 0..<16 { t[i] = nx[i] }
            }
        }
    }
}
