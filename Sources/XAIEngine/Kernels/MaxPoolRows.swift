/// Max pooling of one plane [h, w] -> [ho, wo] row by row with 16-lane vectors (NCHW planes,
/// called by Pooling.forward for MaxPool).
///
/// Each output row is two passes: the elementwise maximum of the window's valid input rows
/// (contiguous loads), written into a row buffer that carries -infinity in the left padding
/// and past the right edge; then each output takes the maximum of its kw neighbours in that
/// buffer, sixteen outputs at a time (stride 2: the even lanes of 32-float loads). The scalar
/// loop it replaces visited kh x kw scattered cells per output and took 1.4 ms CPU of a
/// ResNet-50 image (3x3 stride 2 on [64, 112, 112]), more than a 1x1 conv of the last stage:
/// 1.73% of the cycles of a batch-1 ResNet-50 pass before, 0.30% after (perf, same session).
///
/// Invariant: every output is the maximum over exactly the cells of its window that lie in
/// the plane (-infinity when none do), as in the scalar loop; the maximum of a set does not
/// depend on the order it is taken in, so outputs are the same bits (NaN aside).
enum MaxPoolRows {
    typealias V = SIMD16<Float>

    /// Floats the row buffer needs for a plane of width `w` and this pooling.
    static func bufferCount(_ p: Pool2D, w: Int, wo: Int) -> Int {
        max(p.pads.left + w, (wo - 1) * p.stride.w + p.kernel.w) + 32
    }

    /// One plane; `row` holds `bufferCount` floats of scratch.
    static func plane(_ p: Pool2D, _ src: UnsafePointer<Float>, h: Int, w: Int,
                      into dst: UnsafeMutablePointer<Float>, ho: Int, wo: Int, row: UnsafeMutablePointer<Float>) {
        let (kw, sw, left) = (p.kernel.w, p.stride.w, p.pads.left)
        let count = bufferCount(p, w: w, wo: wo)
        let ninf = V(repeating: -.infinity)
        row.initialize(repeating: -.infinity, count: count)
        let body = row + left
        for oh in 0..<ho {
            let wh = Pooling.window(oh, stride: p.stride.h, pad: p.pads.top, kernel: p.kernel.h, size: h, padEnd: p.pads.bottom)
            // Vertical maximum of the valid rows (-infinity when the window has none).
            var j = 0
            while j + 16 <= w {
                var m = ninf
                for i in wh.lo..<wh.hi { m = larger(m, load(src + i * w + j)) }
                store(m, body + j)
                j += 16
            }
            while j < w {
                var m = -Float.infinity
                for i in wh.lo..<wh.hi { m = max(m, src[i * w + j]) }
                body[j] = m
                j += 1
            }
            // Horizontal maximum: output ow reads row[ow * sw ..< ow * sw + kw].
            let out = dst + oh * wo
            var o = 0
            if sw == 1 {
                while o + 16 <= wo {
                    var m = load(row + o)
                    for t in 1..<max(1, kw) { m = larger(m, load(row + o + t)) }
                    store(m, out + o)
                    o += 16
                }
            } else if sw == 2 {
                while o + 16 <= wo {
                    var m = load32(row + 2 * o).evenHalf
                    for t in 1..<max(1, kw) { m = larger(m, load32(row + 2 * o + t).evenHalf) }
                    store(m, out + o)
                    o += 16
                }
            }
            while o < wo {
                var m = -Float.infinity
                for t in 0..<kw { m = max(m, row[o * sw + t]) }
                out[o] = m
                o += 1
            }
        }
    }

    /// max(m, x) lane by lane as Swift.max takes it (x when x >= m): a compare and a blend
    /// (the standard library's pointwiseMax ran lane by lane, six times slower than scalar code).
    @inline(__always) private static func larger(_ m: V, _ x: V) -> V {
        m.replacing(with: x, where: x .>= m)
    }

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) private static func load(_ p: UnsafeMutablePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) private static func load32(_ p: UnsafeMutablePointer<Float>) -> SIMD32<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD32<Float>.self)
    }

    @inline(__always) private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }
}
