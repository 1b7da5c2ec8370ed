import XAICore

/// Depthwise convolution vectorised across channels, for small feature maps (the 7x7 to 56x56
/// maps of MobileNet / EfficientNet blocks) and strided convs. Row-vectorised loops waste lanes and pay
/// per-row overheads there (a 7-wide row fills 7 of 8 lanes, and each row needs its own copy);
/// here 16 channels are transposed into a zero-padded [row][column][16] block, so every tap
/// of every output pixel is one full 16-lane multiply-add whatever the stride, dilation or
/// padding, and the result is transposed back to NCHW. Transposes run 16x16 at a time.
extension ConvPlan {
    typealias Lanes = SIMD16<Float>
    static let laneCount = 16

    /// Maps up to this many input pixels, and strided convs on any map, go through the
    /// channel-blocked kernel (measured on EfficientNet-Lite0: stride-1 convs on 112x112 maps
    /// run as fast on the row kernel, which needs no transposes).
    static let blockedDepthwiseMaxPixels = 56 * 56

    func depthwiseForwardBlocked(_ x: Tensor, workspace ws: Workspace) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let yShape = outputShape(x.shape)
        let L = Self.laneCount
        let setup = BlockedSetup(self, channels: c, h: h, w: w, ho: yShape[2], wo: yShape[3])
        let outPixels = yShape[2] * yShape[3]
        return ws.tensor(yShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                setup.forEachBlock(items: n) { b, block, out in
                    let item = b / setup.blocks, c0 = (b % setup.blocks) * L, lanes = min(L, c - c0)
                    Self.gatherChannels(xb.baseAddress! + (item * c + c0) * h * w, planeStride: h * w, lanes: lanes,
                                        count: h * w, slots: setup.inputSlots, into: block)
                    setup.compute(block: b, plane: block, into: out)
                    Self.scatterChannels(out, count: outPixels, lanes: lanes,
                                         into: y + (item * c + c0) * outPixels, planeStride: outPixels)
                }
            }
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
            for ch in 0..<c {
                for t in 0..<taps { filters[(ch / L * taps + t) * L + ch % L] = plan.weights[ch * taps + t] }
                biases[ch] = plan.bias?[ch] ?? 0
            }
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
        /// pair, in parallel; each worker's padded block is zeroed once (padding cells are
        /// never written, so one zeroing serves all its blocks).
        func forEachBlock(items n: Int, _ body: (Int, UnsafeMutablePointer<Lanes>, UnsafeMutablePointer<Lanes>) -> Void) {
            let outPixels = geometry.ho * geometry.wo
            Parallel.forRanges(n * blocks, grain: 2) { range in
                let block = UnsafeMutablePointer<Lanes>.allocate(capacity: paddedPixels + outPixels)
                block.initialize(repeating: Lanes(), count: paddedPixels + outPixels)
                defer { block.deallocate() }
                for b in range { body(b, block, block + paddedPixels) }
            }
        }

        /// All output pixels of block `b` (item-major index) from its padded input block.
        @inline(__always)
        func compute(block b: Int, plane: UnsafePointer<Lanes>, into out: UnsafeMutablePointer<Lanes>) {
            let k = b % blocks
            plan.blockedPlane(plane, geometry, filters: filters + k * geometry.taps * ConvPlan.laneCount,
                              bias: biases + k * ConvPlan.laneCount, offsets: tapOffsets, into: out)
        }
    }

    struct BlockedGeometry {
        let h, w, ho, wo, wp, sh, sw, taps: Int
    }

    /// All output pixels of one 16-channel block: four neighbouring pixels of a row share each
    /// tap's filter load; a row's last group of four is moved left to end at the row's end.
    @inline(__always)
    func blockedPlane(_ src: UnsafePointer<Lanes>, _ g: BlockedGeometry, filters: UnsafePointer<Float>,
                              bias: UnsafePointer<Float>, offsets: UnsafePointer<Int>, into out: UnsafeMutablePointer<Lanes>) {
        let filt = UnsafeRawPointer(filters)
        let b = UnsafeRawPointer(bias).loadUnaligned(as: Lanes.self)
        let act = Rectifier16(activation)
        @inline(__always) func madd(_ acc: inout Lanes, _ w: Lanes, _ x: Lanes) {
            #if XAI_FMA
            acc.addProduct(w, x)
            #else
            acc += w * x
            #endif
        }
        let sw = g.sw
        for oh in 0..<g.ho {
            let row = src + oh * g.sh * g.wp
            let dst = out + oh * g.wo
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

    /// `lanes` channel planes (`base + i * planeStride`) -> pixel vectors at `slots` (pixel
    /// index -> cell of the padded block); lanes past `lanes` stay zero.
    private static func gatherChannels(_ base: UnsafePointer<Float>, planeStride: Int, lanes: Int, count: Int,
                                       slots: UnsafePointer<Int>, into block: UnsafeMutablePointer<Lanes>) {
        let L = laneCount
        var k = 0
        if lanes == L {
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: L) { tb in
                let t = tb.baseAddress!
                while k + L <= count {
                    for i in 0..<L { t[i] = UnsafeRawPointer(base + i * planeStride + k).loadUnaligned(as: Lanes.self) }
                    transpose16(t)
                    for j in 0..<L { block[slots[k + j]] = t[j] }
                    k += L
                }
            }
        }
        while k < count {
            var v = Lanes()
            for i in 0..<lanes { v[i] = base[i * planeStride + k] }
            block[slots[k]] = v
            k += 1
        }
    }

    /// Pixel vectors -> `lanes` channel planes (`base + i * planeStride`); other lanes are dropped.
    private static func scatterChannels(_ block: UnsafePointer<Lanes>, count: Int, lanes: Int,
                                        into base: UnsafeMutablePointer<Float>, planeStride: Int) {
        let L = laneCount
        var k = 0
        if lanes == L {
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: L) { tb in
                let t = tb.baseAddress!
                while k + L <= count {
                    for j in 0..<L { t[j] = block[k + j] }
                    transpose16(t)
                    for i in 0..<L { UnsafeMutableRawPointer(base + i * planeStride + k).storeBytes(of: t[i], as: Lanes.self) }
                    k += L
                }
            }
        }
        while k < count {
            let v = block[k]
            for i in 0..<lanes { base[i * planeStride + k] = v[i] }
            k += 1
        }
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
