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
        let (ho, wo) = (yShape[2], yShape[3])
        let a = attrs, L = Self.laneCount
        let (hp, wp) = paddedSize(h: h, w: w, ho: ho, wo: wo)
        let taps = kh * kw
        let blocks = (c + L - 1) / L
        // Filters and biases interleaved by block: [block][tap][16], [block][16] (zero past c).
        var filters = [Float](repeating: 0, count: blocks * taps * L)
        var biases = [Float](repeating: 0, count: blocks * L)
        for ch in 0..<c {
            for t in 0..<taps { filters[(ch / L * taps + t) * L + ch % L] = weights[ch * taps + t] }
            biases[ch] = bias?[ch] ?? 0
        }
        // Where each input pixel goes in the padded block, and each tap's offset (in pixels).
        var inputSlots = [Int](repeating: 0, count: h * w)
        for ih in 0..<h { for iw in 0..<w { inputSlots[ih * w + iw] = (ih + a.pads.top) * wp + iw + a.pads.left } }
        var tapOffsets = [Int]()
        for ki in 0..<kh { for kj in 0..<kw { tapOffsets.append(ki * a.dilation.h * wp + kj * a.dilation.w) } }
        let zeroPlane = [Float](repeating: 0, count: h * w + L)
        let geometry = BlockedGeometry(h: h, w: w, ho: ho, wo: wo, wp: wp, sh: a.stride.h, sw: a.stride.w, taps: taps)
        return ws.tensor(yShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                filters.withUnsafeBufferPointer { fb in
                    biases.withUnsafeBufferPointer { bb in
                        inputSlots.withUnsafeBufferPointer { sb in
                            tapOffsets.withUnsafeBufferPointer { tb in
                                zeroPlane.withUnsafeBufferPointer { zb in
                                    Parallel.forRanges(n * blocks, grain: 2) { range in
                                        // Padding cells are never written, so one zeroing serves every block.
                                        let block = UnsafeMutablePointer<Lanes>.allocate(capacity: hp * wp + ho * wo)
                                        block.initialize(repeating: Lanes(), count: hp * wp + ho * wo)
                                        defer { block.deallocate() }
                                        let out = block + hp * wp
                                        var srcPlanes = [UnsafePointer<Float>](repeating: zb.baseAddress!, count: L)
                                        var dstPlanes = [UnsafeMutablePointer<Float>?](repeating: nil, count: L)
                                        for b in range {
                                            let item = b / blocks, c0 = (b % blocks) * L
                                            for i in 0..<L where c0 + i < c {
                                                srcPlanes[i] = xb.baseAddress! + (item * c + c0 + i) * h * w
                                                dstPlanes[i] = y + (item * c + c0 + i) * ho * wo
                                            }
                                            for i in 0..<L where c0 + i >= c {
                                                srcPlanes[i] = zb.baseAddress!
                                                dstPlanes[i] = nil
                                            }
                                            Self.gatherChannels(srcPlanes, count: h * w, slots: sb.baseAddress!, into: block)
                                            blockedPlane(block, geometry, filters: fb.baseAddress! + (b % blocks) * taps * L,
                                                         bias: bb.baseAddress! + (b % blocks) * L,
                                                         offsets: tb.baseAddress!, into: out)
                                            Self.scatterChannels(out, count: ho * wo, into: dstPlanes)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    struct BlockedGeometry {
        let h, w, ho, wo, wp, sh, sw, taps: Int
    }

    /// All output pixels of one 16-channel block: four neighbouring pixels of a row share each
    /// tap's filter load; a row's last group of four is moved left to end at the row's end.
    @inline(__always)
    private func blockedPlane(_ src: UnsafePointer<Lanes>, _ g: BlockedGeometry, filters: UnsafePointer<Float>,
                              bias: UnsafePointer<Float>, offsets: UnsafePointer<Int>, into out: UnsafeMutablePointer<Lanes>) {
        let filt = UnsafeRawPointer(filters)
        let b = UnsafeRawPointer(bias).loadUnaligned(as: Lanes.self)
        var lo = Lanes(repeating: -.infinity), hi = Lanes(repeating: .infinity), slope = Lanes(repeating: 1)
        switch activation {
        case nil: break
        case .relu: lo = Lanes(repeating: 0)
        case let .clip(a, c): lo = Lanes(repeating: a); hi = Lanes(repeating: c)
        case let .leakyRelu(alpha): slope = Lanes(repeating: alpha)
        }
        let leaky = slope != Lanes(repeating: 1)
        @inline(__always) func act(_ v: Lanes) -> Lanes {
            var r = v.replacing(with: lo, where: v .< lo)
            r = r.replacing(with: hi, where: r .> hi)
            return leaky ? r.replacing(with: r * slope, where: r .< 0) : r
        }
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

    /// 16 channel planes -> pixel vectors at `slots` (pixel index -> cell of the padded block).
    private static func gatherChannels(_ planes: [UnsafePointer<Float>], count: Int, slots: UnsafePointer<Int>,
                                       into block: UnsafeMutablePointer<Lanes>) {
        let L = laneCount
        let t = UnsafeMutablePointer<Lanes>.allocate(capacity: L)
        defer { t.deallocate() }
        do {
            var k = 0
            while k + L <= count {
                for i in 0..<L { t[i] = UnsafeRawPointer(planes[i] + k).loadUnaligned(as: Lanes.self) }
                transpose16(t)
                for j in 0..<L { block[slots[k + j]] = t[j] }
                k += L
            }
            while k < count {
                var v = Lanes()
                for i in 0..<L { v[i] = planes[i][k] }
                block[slots[k]] = v
                k += 1
            }
        }
    }

    /// Pixel vectors -> 16 channel planes (nil: a lane past the last channel, dropped).
    private static func scatterChannels(_ block: UnsafePointer<Lanes>, count: Int,
                                        into planes: [UnsafeMutablePointer<Float>?]) {
        let L = laneCount
        let t = UnsafeMutablePointer<Lanes>.allocate(capacity: L)
        defer { t.deallocate() }
        do {
            var k = 0
            while k + L <= count {
                for j in 0..<L { t[j] = block[k + j] }
                transpose16(t)
                for i in 0..<L { if let p = planes[i] { UnsafeMutableRawPointer(p + k).storeBytes(of: t[i], as: Lanes.self) } }
                k += L
            }
            while k < count {
                let v = block[k]
                for i in 0..<L { planes[i]?[k] = v[i] }
                k += 1
            }
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
