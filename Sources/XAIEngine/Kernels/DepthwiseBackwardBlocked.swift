import XAICore

/// The input gradient of a strided depthwise convolution (dilation 1) on the forward kernel's
/// channel-blocked layout (DepthwiseBlockedKernel.swift: 16 channels of one pixel per vector).
/// With (ph, pw) = (ih + pad top, iw + pad left) an input pixel's position in the padded input,
///
///     dx[ih][iw] = sum over ki = ph mod sh, ph mod sh + sh, ... < kh
///                      and kj = pw mod sw, pw mod sw + sw, ... < kw
///                  of w[ki][kj] * dy[(ph - ki) / sh][(pw - kj) / sw]     (zero outside dy),
///
/// a gather: each dx pixel is one register sum of full 16-lane multiply-adds over the taps of
/// its stride phase and one store. Pixels of one row and phase read consecutive dy columns, so
/// four of them share each filter load. It replaces a scatter of every tap's products into
/// per-phase scratch planes, one plane at a time (the stride-2 layers were 14.7% of a
/// meaningful-perturbation step on Lite0). dy [N, C, Ho, Wo] -> dx [N, C, H, W].
extension ConvPlan {
    /// `masks` are applied as dy is gathered and dx scattered (GradientMasks).
    func depthwiseBackwardInputBlocked(_ dy: Tensor, inputShape: [Int], workspace ws: Workspace,
                                       masks: GradientMasks = GradientMasks()) -> Tensor {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (ho, wo) = (dy.shape[2], dy.shape[3])
        let L = Self.laneCount, taps = kh * kw
        let (sh, sw, pt, pl) = (attrs.stride.h, attrs.stride.w, attrs.pads.top, attrs.pads.left)
        // dy in a zero margin wide enough for every tap: row (ph - ki) / sh runs from
        // -(kh - 1) / sh to (pt + h - 1) / sh, likewise the columns.
        let (mt, ml) = ((kh - 1) / sh, (kw - 1) / sw)
        let rows = mt + max(ho, (pt + h - 1) / sh + 1), cols = ml + max(wo, (pl + w - 1) / sw + 1)
        let slots = (0..<(ho * wo)).map { (($0 / wo) + mt) * cols + $0 % wo + ml }
        // Per stride phase (ph mod sh, pw mod sw): each tap's filter and its cell offset from
        // the cell of dy[ph / sh][pw / sw].
        let phases: [[(filter: Int, offset: Int)]] = (0..<(sh * sw)).map { p in
            stride(from: p / sw, to: kh, by: sh).flatMap { ki in
                stride(from: p % sw, to: kw, by: sw).map { kj in
                    (filter: (ki * kw + kj) * L, offset: -((ki / sh) * cols + kj / sw))
                }
            }
        }
        let blocks = (c + L - 1) / L
        var filters = [Float](repeating: 0, count: blocks * taps * L)
        filters.withUnsafeMutableBufferPointer { interleaveFilters(channels: c, into: $0.baseAddress!) }
        return ws.tensor(inputShape) { dx, _ in
            dy.data.withUnsafeBufferPointer { dyb in
            filters.withUnsafeBufferPointer { fb in
            slots.withUnsafeBufferPointer { slots in
            masks.withPlanes { dyMask, dxMask in
                Parallel.forRanges(n * blocks, grain: 2) { range in
                    // The gathers overwrite only dy's cells: the margin stays zero.
                    Scratch.with(Lanes.self, count: rows * cols + h * w) { grad in
                        grad.initialize(repeating: Lanes(), count: rows * cols)
                        let out = grad + rows * cols
                        for b in range {
                            let item = b / blocks, c0 = (b % blocks) * L, lanes = min(L, c - c0)
                            Self.gatherChannels(dyb.baseAddress! + (item * c + c0) * ho * wo, planeStride: ho * wo, lanes: lanes,
                                                count: ho * wo, slots: slots.baseAddress!, into: grad,
                                                masked: dyMask?.advanced(by: (item * c + c0) * ho * wo))
                            let filter = UnsafeRawPointer(fb.baseAddress! + (b % blocks) * taps * L)
                            for ih in 0..<h {
                                let ph = ih + pt
                                for phase in 0..<sw {
                                    Self.gatherRow(grad + (ph / sh + mt) * cols + ml, taps: phases[(ph % sh) * sw + phase],
                                                   filter: filter, first: ((phase - pl) % sw + sw) % sw, width: w, pl: pl, sw: sw,
                                                   into: out + ih * w)
                                }
                            }
                            Self.scatterChannels(out, count: h * w, lanes: lanes, into: dx + (item * c + c0) * h * w, planeStride: h * w,
                                                 masked: dxMask?.advanced(by: (item * c + c0) * h * w))
                        }
                    }
                }
            }}}}
        }
    }

    /// The dx pixels first, first + sw, ... < width of one row, all of one stride phase:
    /// `src` is the cell of dy[ph / sh][0]; pixel iw starts at column (iw + pl) / sw.
    @inline(__always)
    private static func gatherRow(_ src: UnsafePointer<Lanes>, taps: [(filter: Int, offset: Int)], filter: UnsafeRawPointer,
                                  first: Int, width: Int, pl: Int, sw: Int, into dst: UnsafeMutablePointer<Lanes>) {
        var iw = first
        while iw + 3 * sw < width {
            var a0 = Lanes(), a1 = Lanes(), a2 = Lanes(), a3 = Lanes()
            let q = src + (iw + pl) / sw
            for t in taps {
                let f = filter.loadUnaligned(fromByteOffset: t.filter * 4, as: Lanes.self), x = q + t.offset
                madd(&a0, f, x[0]); madd(&a1, f, x[1]); madd(&a2, f, x[2]); madd(&a3, f, x[3])
            }
            dst[iw] = a0; dst[iw + sw] = a1; dst[iw + 2 * sw] = a2; dst[iw + 3 * sw] = a3
            iw += 4 * sw
        }
        while iw < width {
            var a0 = Lanes()
            let q = src + (iw + pl) / sw
            for t in taps { madd(&a0, filter.loadUnaligned(fromByteOffset: t.filter * 4, as: Lanes.self), q[t.offset]) }
            dst[iw] = a0
            iw += sw
        }
    }
}
