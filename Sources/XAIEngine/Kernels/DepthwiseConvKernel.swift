import XAICore

/// Depthwise convolution (one kH x kW filter per channel): the forward pass runs on the
/// channel-blocked kernel (DepthwiseBlockedKernel.swift); the input gradient is a forward pass
/// with rotated filters for stride 1, a gather on the blocked layout for other strides
/// (DepthwiseBackwardBlocked.swift), and a scatter into phase planes when dilated.
extension ConvPlan {
    func depthwiseForward(_ x: Tensor, workspace ws: Workspace) -> Tensor {
        depthwiseForwardBlocked(x, workspace: ws)
    }

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

    /// dy [N, C, Ho, Wo] -> dx [N, C, H, W], with `masks` applied to dy before and to dx after
    /// (by the blocked kernels as they move the gradients between layouts; the same bits as
    /// masking in passes of their own, which the dilated path does).
    func depthwiseBackwardInput(_ dy: Tensor, inputShape: [Int], workspace ws: Workspace,
                                masks: GradientMasks = GradientMasks()) -> Tensor {
        if let t = strideOneTranspose(inputShape: inputShape, outputShape: dy.shape) {
            return t.depthwiseForwardBlocked(dy, workspace: ws, masks: masks)
        }
        if attrs.dilation == (1, 1) { return depthwiseBackwardInputBlocked(dy, inputShape: inputShape, workspace: ws, masks: masks) }
        let d = masks.input.map { Elementwise.mask($0.ref, dy, $0.mask, workspace: ws) } ?? dy
        let dx = depthwiseBackwardInputScatter(d, inputShape: inputShape, workspace: ws)
        return masks.output.map { Elementwise.mask($0.ref, dx, $0.mask, workspace: ws) } ?? dx
    }

    /// The input gradient as a scatter into `strideW` column phases of a zero-padded plane, one
    /// plane at a time (any stride and dilation; `depthwiseBackwardInputBlocked` is faster).
    func depthwiseBackwardInputScatter(_ dy: Tensor, inputShape: [Int], workspace ws: Workspace) -> Tensor {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let g = geometry(h: h, w: w, ho: dy.shape[2], wo: dy.shape[3])
        let taps = kh * kw
        return ws.tensor(inputShape) { dx, _ in
            dy.data.withUnsafeBufferPointer { dyb in
                weights.withUnsafeBufferPointer { wb in
                    let dyp = dyb.baseAddress!, wp = wb.baseAddress!
                    Parallel.forRanges(n * c, grain: 2) { planes in
                        Scratch.with(Float.self, count: g.scratchSize) { scratch in
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

    /// Phase planes -> the unpadded plane: phase p row r column q holds padded[r][q * sw + p].
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
