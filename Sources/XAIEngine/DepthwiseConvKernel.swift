import XAICore

/// Direct depthwise convolution (one kH x kW filter per channel). Small or strided maps go to
/// the channel-blocked kernel (DepthwiseBlockedKernel.swift); the row kernel here runs parallel
/// over (item, channel) planes. Each plane is first copied into a zero-padded buffer split into
/// `strideW` column phases, so that every tap of every output row reads a contiguous run of
/// inputs and the inner loops vectorise without bounds checks, for any stride, dilation and
/// padding.
extension ConvPlan {
    /// Geometry shared by the forward and backward depthwise loops.
    private struct DepthwiseGeometry {
        let h, w, ho, wo: Int
        let hp, wq: Int          // padded rows, columns per phase
        let sh, sw, dh, dw, pt, pl: Int

        var phaseSize: Int { hp * wq }
        var scratchSize: Int { sw * hp * wq }
    }

    /// Rows and columns of the zero-padded input that every tap of every output reads.
    func paddedSize(h: Int, w: Int, ho: Int, wo: Int) -> (hp: Int, wp: Int) {
        let a = attrs
        return (max(h + a.pads.top + a.pads.bottom, (ho - 1) * a.stride.h + (kh - 1) * a.dilation.h + 1),
                max(w + a.pads.left + a.pads.right, (wo - 1) * a.stride.w + (kw - 1) * a.dilation.w + 1))
    }

    private func geometry(h: Int, w: Int, ho: Int, wo: Int) -> DepthwiseGeometry {
        let a = attrs
        let (hp, wp) = paddedSize(h: h, w: w, ho: ho, wo: wo)
        let wq = (wp + a.stride.w - 1) / a.stride.w
        return DepthwiseGeometry(h: h, w: w, ho: ho, wo: wo, hp: hp, wq: wq,
                                 sh: a.stride.h, sw: a.stride.w, dh: a.dilation.h, dw: a.dilation.w,
                                 pt: a.pads.top, pl: a.pads.left)
    }

    /// Extra floats after the phase planes so that 16-wide loads at a row's end stay in bounds.
    private static let slack = 16

    func depthwiseForward(_ x: Tensor, workspace ws: Workspace) -> Tensor {
        x.shape[2] * x.shape[3] <= Self.blockedDepthwiseMaxPixels || attrs.stride != (1, 1)
            ? depthwiseForwardBlocked(x, workspace: ws) : depthwiseForwardRows(x, workspace: ws)
    }

    /// The row-vectorised kernel (big stride-1 maps).
    func depthwiseForwardRows(_ x: Tensor, workspace ws: Workspace) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let yShape = outputShape(x.shape)
        let g = geometry(h: h, w: w, ho: yShape[2], wo: yShape[3])
        let taps = kh * kw
        // Offset of each tap inside the phase planes, relative to (output row * sh, output column).
        var tapOffsets = [Int]()
        for ki in 0..<kh {
            for kj in 0..<kw {
                let off = kj * g.dw
                tapOffsets.append((off % g.sw) * g.phaseSize + ki * g.dh * g.wq + off / g.sw)
            }
        }
        return ws.tensor(yShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                weights.withUnsafeBufferPointer { wb in
                    tapOffsets.withUnsafeBufferPointer { tb in
                        let xp = xb.baseAddress!, wp = wb.baseAddress!, offs = tb.baseAddress!
                        Parallel.forRanges(n * c, grain: 2) { planes in
                            // planes | slack | tail (16) | padded-row buffer for stride 2 (zero margins)
                            let rowBuffer = 2 * g.wq + 8
                            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: g.scratchSize + Self.slack + 16 + rowBuffer)
                            (scratch + g.scratchSize).initialize(repeating: 0, count: Self.slack)
                            (scratch + g.scratchSize + Self.slack + 16).initialize(repeating: 0, count: rowBuffer)
                            let tail = scratch + g.scratchSize + Self.slack
                            defer { scratch.deallocate() }
                            for plane in planes {
                                let ch = plane % c
                                Self.fillPhases(xp + plane * h * w, g, scratch)
                                planeForward(scratch, g, filter: wp + ch * taps, offsets: offs, taps: taps,
                                             bias: bias?[ch] ?? 0, tail: tail, into: y + plane * g.ho * g.wo)
                            }
                        }
                    }
                }
            }
        }
    }

    /// One output plane, in register blocks that share each tap's filter broadcast: two output
    /// rows x 16 columns (four 8-lane accumulators), or four rows x 8 columns when a row holds
    /// at most 8 outputs (the 7x7 and 14x14 maps of late layers would otherwise waste lanes).
    /// The last block of a plane is moved up to end at the last row, recomputing a row or two
    /// instead of running a narrower loop. Bias and rectifier are applied before the single
    /// store; a row's last partial group goes through `tail` (16 floats), and its loads reach
    /// at most 15 floats past the row, into the next row or the zeroed slack after the planes.
    @inline(__always)
    private func planeForward(_ src: UnsafePointer<Float>, _ g: DepthwiseGeometry, filter: UnsafePointer<Float>,
                              offsets: UnsafePointer<Int>, taps: Int, bias: Float, tail: UnsafeMutablePointer<Float>,
                              into dst: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
        var lo = V(repeating: -.infinity), hi = V(repeating: .infinity), slope = V(repeating: 1)
        switch activation {
        case nil: break
        case .relu: lo = V(repeating: 0)
        case let .clip(a, b): lo = V(repeating: a); hi = V(repeating: b)
        case let .leakyRelu(alpha): slope = V(repeating: alpha)
        }
        let leaky = slope != V(repeating: 1)
        // Compare-and-select, not pointwiseMin/Max: those stay generic calls for SIMD8.
        @inline(__always) func act(_ v: V) -> V {
            var c = v.replacing(with: lo, where: v .< lo)
            c = c.replacing(with: hi, where: c .> hi)
            return leaky ? c.replacing(with: c * slope, where: c .< 0) : c
        }
        /// Stores 8 (`wide` false) or 16 results of one row, `count` of which are real.
        @inline(__always) func put(_ a: V, _ b: V, wide: Bool, _ out: UnsafeMutablePointer<Float>, _ count: Int) {
            let full = wide ? 16 : 8
            let target = count >= full ? out : tail
            store(act(a), target)
            if wide { store(act(b), target + 8) }
            if count < full { out.update(from: tail, count: count) }
        }
        // a += w * x. Fused multiply-add only where the build targets a CPU with FMA (the
        // XAI_FMA condition goes with -target-cpu haswell or newer); on the x86-64 baseline
        // `addProduct` would become a libm fmaf call per lane.
        @inline(__always) func madd(_ a: inout V, _ w: V, _ x: V) {
            #if XAI_FMA
            a.addProduct(w, x)
            #else
            a += w * x
            #endif
        }
        let b = V(repeating: bias)
        let rowStep = g.sh * g.wq
        if g.wo <= 8 {
            let rows = 4
            var oh = 0
            while oh < g.ho {
                let r0 = g.ho >= rows ? min(oh, g.ho - rows) : oh
                if g.ho >= rows {
                    var a0 = b, a1 = b, a2 = b, a3 = b
                    let base = src + r0 * rowStep
                    for t in 0..<taps {
                        let p = base + offsets[t]
                        let w = V(repeating: filter[t])
                        madd(&a0, w, load(p))
                        madd(&a1, w, load(p + rowStep))
                        madd(&a2, w, load(p + 2 * rowStep))
                        madd(&a3, w, load(p + 3 * rowStep))
                    }
                    let out = dst + r0 * g.wo
                    put(a0, a0, wide: false, out, g.wo)
                    put(a1, a1, wide: false, out + g.wo, g.wo)
                    put(a2, a2, wide: false, out + 2 * g.wo, g.wo)
                    put(a3, a3, wide: false, out + 3 * g.wo, g.wo)
                    oh = r0 + rows
                } else {
                    var a0 = b
                    let base = src + r0 * rowStep
                    for t in 0..<taps { madd(&a0, V(repeating: filter[t]), load(base + offsets[t])) }
                    put(a0, a0, wide: false, dst + r0 * g.wo, g.wo)
                    oh = r0 + 1
                }
            }
            return
        }
        var oh = 0
        while oh < g.ho {
            let pair = g.ho >= 2
            let r0 = pair ? min(oh, g.ho - 2) : oh
            let rowBase = src + r0 * rowStep
            let out = dst + r0 * g.wo
            var ow = 0
            while ow < g.wo {
                let count = min(16, g.wo - ow)
                let base = rowBase + ow
                if pair {
                    var a0 = b, a1 = b, a2 = b, a3 = b
                    for t in 0..<taps {
                        let p = base + offsets[t]
                        let w = V(repeating: filter[t])
                        madd(&a0, w, load(p))
                        madd(&a1, w, load(p + 8))
                        madd(&a2, w, load(p + rowStep))
                        madd(&a3, w, load(p + rowStep + 8))
                    }
                    put(a0, a1, wide: count > 8, out + ow, count)
                    put(a2, a3, wide: count > 8, out + g.wo + ow, count)
                } else {
                    var a0 = b, a1 = b
                    for t in 0..<taps {
                        let p = base + offsets[t]
                        let w = V(repeating: filter[t])
                        madd(&a0, w, load(p))
                        madd(&a1, w, load(p + 8))
                    }
                    put(a0, a1, wide: count > 8, out + ow, count)
                }
                ow += 16
            }
            oh = r0 + (pair ? 2 : 1)
        }
    }

    func depthwiseBackwardInput(_ dy: Tensor, inputShape: [Int], workspace ws: Workspace) -> Tensor {
        if let t = strideOneTranspose(inputShape: inputShape, outputShape: dy.shape) {
            return t.depthwiseForward(dy, workspace: ws)
        }
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let g = geometry(h: h, w: w, ho: dy.shape[2], wo: dy.shape[3])
        let taps = kh * kw
        return ws.tensor(inputShape) { dx, _ in
            dy.data.withUnsafeBufferPointer { dyb in
                weights.withUnsafeBufferPointer { wb in
                    let dyp = dyb.baseAddress!, wp = wb.baseAddress!
                    Parallel.forRanges(n * c, grain: 2) { planes in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: g.scratchSize)
                        defer { scratch.deallocate() }
                        for plane in planes {
                            let ch = plane % c
                            scratch.update(repeating: 0, count: g.scratchSize)
                            let src = dyp + plane * g.ho * g.wo
                            let filt = wp + ch * taps
                            for oh in 0..<g.ho {
                                let row = src + oh * g.wo
                                for ki in 0..<kh {
                                    let r = oh * g.sh + ki * g.dh
                                    for kj in 0..<kw {
                                        let off = kj * g.dw
                                        let dst = scratch + (off % g.sw) * g.phaseSize + r * g.wq + off / g.sw
                                        let wv = filt[ki * kw + kj]
                                        for ow in 0..<g.wo { dst[ow] += wv * row[ow] }
                                    }
                                }
                            }
                            Self.gatherPhases(scratch, g, into: dx + plane * h * w)
                        }
                    }
                }
            }
        }
    }

    /// For stride 1 the input gradient is itself a depthwise convolution of dy: the filters
    /// rotated by 180 degrees, with pads (k-1)*d - pad on each side. Nil when that does not apply.
    func strideOneTranspose(inputShape: [Int], outputShape: [Int]) -> ConvPlan? {
        let a = attrs
        guard a.stride == (1, 1) else { return nil }
        let eh = (kh - 1) * a.dilation.h, ew = (kw - 1) * a.dilation.w
        let pads = (eh - a.pads.top, ew - a.pads.left, eh - a.pads.bottom, ew - a.pads.right)
        guard min(pads.0, pads.1, pads.2, pads.3) >= 0 else { return nil }
        let taps = kh * kw
        var flipped = [Float](repeating: 0, count: weights.count)
        for ch in 0..<inChannels {
            for t in 0..<taps { flipped[ch * taps + t] = weights[ch * taps + taps - 1 - t] }
        }
        let t = ConvPlan(attrs: Conv2D(kernel: (kh, kw), stride: (1, 1), dilation: (a.dilation.h, a.dilation.w),
                                       pads: pads, groups: a.groups),
                         inChannels: inChannels, outChannels: outChannels, weights: flipped, bias: nil, activation: nil)
        let size = ConvPlan.outputSize(t.attrs, h: outputShape[2], w: outputShape[3])
        guard let size, size.h == inputShape[2], size.w == inputShape[3] else { return nil }
        return t
    }

    /// Padded plane -> phase planes: phase p row r column q holds padded[r][q * sw + p].
    private static func fillPhases(_ x: UnsafePointer<Float>, _ g: DepthwiseGeometry,
                                   _ out: UnsafeMutablePointer<Float>) {
        for r in 0..<g.hp {
            let ih = r - g.pt
            if ih < 0 || ih >= g.h {
                for p in 0..<g.sw { (out + p * g.phaseSize + r * g.wq).update(repeating: 0, count: g.wq) }
                continue
            }
            let src = x + ih * g.w
            if g.sw == 1 {
                let dst = out + r * g.wq
                let right = g.wq - g.pl - g.w
                if g.pl > 0 { dst.update(repeating: 0, count: g.pl) }
                (dst + g.pl).update(from: src, count: g.w)
                if right > 0 { (dst + g.pl + g.w).update(repeating: 0, count: right) }
                continue
            }
            if g.sw == 2 {
                // Padded row into the zeroed row buffer, then split even / odd columns 4 at a time.
                let row = out + g.scratchSize + Self.slack + 16
                (row + g.pl).update(from: src, count: g.w)
                let e = out + r * g.wq, o = out + g.phaseSize + r * g.wq
                var q = 0
                while q + 4 <= g.wq {
                    let v = UnsafeRawPointer(row + 2 * q).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(e + q).storeBytes(of: v.evenHalf, as: SIMD4<Float>.self)
                    UnsafeMutableRawPointer(o + q).storeBytes(of: v.oddHalf, as: SIMD4<Float>.self)
                    q += 4
                }
                while q < g.wq {
                    e[q] = row[2 * q]
                    o[q] = row[2 * q + 1]
                    q += 1
                }
                continue
            }
            for p in 0..<g.sw {
                let dst = out + p * g.phaseSize + r * g.wq
                // q with 0 <= q * sw + p - pl < w
                let lo = min(g.wq, max(0, (g.pl - p + g.sw - 1) / g.sw))
                let hi = min(g.wq, max(lo, (g.w + g.pl - p + g.sw - 1) / g.sw))
                if lo > 0 { dst.update(repeating: 0, count: lo) }
                let s0 = src + (p - g.pl)
                for q in lo..<hi { dst[q] = s0[q * g.sw] }
                if hi < g.wq { (dst + hi).update(repeating: 0, count: g.wq - hi) }
            }
        }
    }

    /// Phase planes -> the unpadded plane (the inverse of `fillPhases` on the interior).
    private static func gatherPhases(_ s: UnsafePointer<Float>, _ g: DepthwiseGeometry,
                                     into dx: UnsafeMutablePointer<Float>) {
        for ih in 0..<g.h {
            let r = ih + g.pt
            let dst = dx + ih * g.w
            if g.sw == 1 {
                dst.update(from: s + r * g.wq + g.pl, count: g.w)
                continue
            }
            for iw in 0..<g.w {
                let pc = iw + g.pl
                dst[iw] = s[(pc % g.sw) * g.phaseSize + r * g.wq + pc / g.sw]
            }
        }
    }
}
