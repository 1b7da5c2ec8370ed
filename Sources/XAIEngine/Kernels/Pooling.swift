import XAICore

/// MaxPool / AveragePool (explicit pads, ceil_mode, count_include_pad) and GlobalAveragePool,
/// forward and backward, parallel over (item, channel) planes.
enum Pooling {
    /// Output spatial size, nil when the window does not fit.
    static func outputSize(_ p: Pool2D, h: Int, w: Int) -> (h: Int, w: Int)? {
        guard let oh = slidingWindowCount(h, kernel: p.kernel.h, stride: p.stride.h, padBegin: p.pads.top,
                                          padEnd: p.pads.bottom, ceil: p.ceilMode),
              let ow = slidingWindowCount(w, kernel: p.kernel.w, stride: p.stride.w, padBegin: p.pads.left,
                                          padEnd: p.pads.right, ceil: p.ceilMode) else { return nil }
        return (oh, ow)
    }

    /// Window along one axis: data range [lo, hi) and the padded extent used as the divisor
    /// when padding counts.
    @inline(__always)
    static func window(_ o: Int, stride: Int, pad: Int, kernel: Int, size: Int, padEnd: Int) -> (lo: Int, hi: Int, padded: Int) {
        let start = o * stride - pad
        let end = min(start + kernel, size + padEnd)
        return (max(start, 0), min(end, size), end - start)
    }

    /// Runs `body(xPlane, yPlane)` for every plane of x [N, C, H, W] / y [N, C, Ho, Wo].
    private static func planes(_ x: [Int], _ y: [Int], _ body: @escaping (Int) -> Void) {
        Parallel.forRanges(x[0] * x[1], grain: max(1, 4096 / max(1, x[2] * x[3]))) { r in
            for p in r { body(p) }
        }
    }

    static func forward(max isMax: Bool, _ p: Pool2D, _ x: Tensor) -> Tensor {
        let (h, w) = (x.shape[2], x.shape[3])
        let o = outputSize(p, h: h, w: w) ?? (0, 0)
        let yShape = [x.shape[0], x.shape[1], o.h, o.w]
        return Tensor(uninitialized: yShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                planes(x.shape, yShape) { plane in
                    let src = xp + plane * h * w, dst = y + plane * o.h * o.w
                    if isMax {
                        Scratch.with(Float.self, count: MaxPoolRows.bufferCount(p, w: w, wo: o.w)) {
                            MaxPoolRows.plane(p, src, h: h, w: w, into: dst, ho: o.h, wo: o.w, row: $0)
                        }
                        return
                    }
                    for oh in 0..<o.h {
                        let wh = window(oh, stride: p.stride.h, pad: p.pads.top, kernel: p.kernel.h, size: h, padEnd: p.pads.bottom)
                        for ow in 0..<o.w {
                            let ww = window(ow, stride: p.stride.w, pad: p.pads.left, kernel: p.kernel.w, size: w, padEnd: p.pads.right)
                            if isMax {
                                var m = -Float.infinity
                                for i in wh.lo..<wh.hi { for j in ww.lo..<ww.hi { m = max(m, src[i * w + j]) } }
                                dst[oh * o.w + ow] = m
                            } else {
                                var s: Float = 0
                                for i in wh.lo..<wh.hi { for j in ww.lo..<ww.hi { s += src[i * w + j] } }
                                let count = p.countIncludePad ? wh.padded * ww.padded : (wh.hi - wh.lo) * (ww.hi - ww.lo)
                                dst[oh * o.w + ow] = count > 0 ? s / Float(count) : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx for MaxPool (gradient to the first maximum of each window, MaxPoolGradient.swift) or
    /// AveragePool.
    /// `x` (the forward input) is read by MaxPool only; AveragePool needs just `inputShape`.
    static func backward(max isMax: Bool, _ p: Pool2D, x: Tensor?, inputShape: [Int], dy: Tensor) -> Tensor {
        let (h, w) = (inputShape[2], inputShape[3])
        let (oh_, ow_) = (dy.shape[2], dy.shape[3])
        let xv = x ?? Tensor(zeros: [1])
        // Each plane is zeroed on the core that fills it, just before: zeroing all of dx first
        // (serially) left the planes in L3 by the time the windows added into them.
        return Tensor(uninitialized: inputShape) { dxp, _ in
            xv.data.withUnsafeBufferPointer { xb in
                dy.data.withUnsafeBufferPointer { gb in
                    let xp = xb.baseAddress!, gp = gb.baseAddress!
                    planes(inputShape, dy.shape) { plane in
                        let src = xp + (isMax ? plane * h * w : 0), dst = dxp + plane * h * w, g = gp + plane * oh_ * ow_
                        dst.initialize(repeating: 0, count: h * w)
                        if isMax {
                            MaxPoolGradient.plane(p, x: src, h: h, w: w, dy: g, ho: oh_, wo: ow_, into: dst)
                            return
                        }
                        for oh in 0..<oh_ {
                            let wh = window(oh, stride: p.stride.h, pad: p.pads.top, kernel: p.kernel.h, size: h, padEnd: p.pads.bottom)
                            for ow in 0..<ow_ {
                                let ww = window(ow, stride: p.stride.w, pad: p.pads.left, kernel: p.kernel.w, size: w, padEnd: p.pads.right)
                                let count = p.countIncludePad ? wh.padded * ww.padded : (wh.hi - wh.lo) * (ww.hi - ww.lo)
                                guard count > 0 else { continue }
                                let share = g[oh * ow_ + ow] / Float(count)
                                for i in wh.lo..<wh.hi { for j in ww.lo..<ww.hi { dst[i * w + j] += share } }
                            }
                        }
                    }
                }
            }
        }
    }

    static func globalAverage(_ x: Tensor) -> Tensor {
        let hw = x.shape.dropFirst(2).reduce(1, *)
        let planesCount = x.shape[0] * x.shape[1]
        var outShape = Array(x.shape.prefix(2))
        outShape += [Int](repeating: 1, count: x.shape.count - 2)
        return Tensor(uninitialized: outShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                Parallel.forRanges(planesCount, grain: max(1, 4096 / max(1, hw))) { r in
                    for p in r {
                        var s: Float = 0
                        let src = xp + p * hw
                        for i in 0..<hw { s += src[i] }
                        y[p] = s / Float(hw)
                    }
                }
            }
        }
    }

    static func globalAverageBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        let hw = inputShape.dropFirst(2).reduce(1, *)
        return Tensor(uninitialized: inputShape) { dx, n in
            dy.data.withUnsafeBufferPointer { gb in
                let gp = gb.baseAddress!
                Parallel.forRanges(n / max(1, hw), grain: max(1, 4096 / max(1, hw))) { r in
                    for p in r {
                        let v = gp[p] / Float(hw)
                        (dx + p * hw).update(repeating: v, count: hw)
                    }
                }
            }
        }
    }
}
