/// MaxPool's input gradient for one plane (NCHW, called by Pooling.backward): each window's dy
/// goes to the first cell (row-major within the window) holding the window's maximum.
///
/// Windows that lie wholly inside the plane run sixteen outputs of a row at a time: a vector
/// of running maxima and one of their cell indices, updated by strict comparison in the
/// window's row-major order (stride 2: the even lanes of 32-float loads), then dy added at the
/// sixteen winners in output order. The scalar loop over every window (kept for the border
/// and other strides) took 6.3 ms per [2, 64, 112, 112] micro-batch of ResNet-50's stem, 2% of
/// its batch-16 forward+backward.
///
/// Invariant: the same cell wins as in the scalar loop (same order, same strict `>`), and the
/// additions into dx happen in the same (row, column) order, so dx is the same bits.
enum MaxPoolGradient {
    typealias V = SIMD16<Float>
    typealias Index = SIMD16<Int32>

    /// dx[plane] += routed dy for one plane; `dx` starts zeroed by the caller.
    static func plane(_ p: Pool2D, x: UnsafePointer<Float>, h: Int, w: Int, dy: UnsafePointer<Float>, ho: Int, wo: Int,
                      into dx: UnsafeMutablePointer<Float>) {
        let (kw, sw, left) = (p.kernel.w, p.stride.w, p.pads.left)
        // Outputs whose window, and (stride 2) the odd lane read past it, stay inside the row.
        let first = (left + sw - 1) / sw
        let reach = (kw - 1) + (sw == 2 ? 1 : 0)
        let end = sw <= 2 ? min(wo, max(first, (w - 1 - reach + left) / sw + 1)) : first
        let lanes = Index(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) &* Int32(sw)
        for oh in 0..<ho {
            let wh = Pooling.window(oh, stride: p.stride.h, pad: p.pads.top, kernel: p.kernel.h, size: h, padEnd: p.pads.bottom)
            let g = dy + oh * wo
            var ow = 0
            while ow < wo {
                if ow >= first && ow < end && end - first >= 16 {
                    // The last group of the row moves back to end at `end`; its lanes before
                    // `ow` were added by the group before.
                    let start = min(ow, end - 16)
                    var m = V(repeating: -.infinity), at = Index(repeating: -1)
                    let column = start * sw - left
                    for i in wh.lo..<wh.hi {
                        for j in 0..<kw {
                            let cell = x + i * w + column + j
                            let v = sw == 1 ? UnsafeRawPointer(cell).loadUnaligned(as: V.self)
                                            : UnsafeRawPointer(cell).loadUnaligned(as: SIMD32<Float>.self).evenHalf
                            let larger = v .> m
                            m.replace(with: v, where: larger)
                            at.replace(with: lanes &+ Int32(i * w + column + j), where: larger)
                        }
                    }
                    for lane in (ow - start)..<16 where at[lane] >= 0 { dx[Int(at[lane])] += g[start + lane] }
                    ow = start + 16
                } else {
                    if let at = firstMaximum(p, x: x, h: h, w: w, oh: oh, ow: ow) { dx[at] += g[ow] }
                    ow += 1
                }
            }
        }
    }

    /// The index in the plane of the first maximum of window (oh, ow); nil when no cell of the
    /// window exceeds -infinity.
    @inline(__always)
    static func firstMaximum(_ p: Pool2D, x: UnsafePointer<Float>, h: Int, w: Int, oh: Int, ow: Int) -> Int? {
        let wh = Pooling.window(oh, stride: p.stride.h, pad: p.pads.top, kernel: p.kernel.h, size: h, padEnd: p.pads.bottom)
        let ww = Pooling.window(ow, stride: p.stride.w, pad: p.pads.left, kernel: p.kernel.w, size: w, padEnd: p.pads.right)
        var m = -Float.infinity, at = -1
        for i in wh.lo..<wh.hi {
            for j in ww.lo..<ww.hi where x[i * w + j] > m {
                m = x[i * w + j]
                at = i * w + j
            }
        }
        return at >= 0 ? at : nil
    }
}
