/// Resizing of single-channel maps (e.g. a 7x7 CAM) to image resolution.
public enum MapResize {
    /// Bilinear interpolation of a row-major `h x w` map to `toH x toW` with the
    /// `align_corners = False` convention of torch's `interpolate` and OpenCV's `resize`:
    /// output pixel centre `(i + 0.5) * (in / out) - 0.5` in input coordinates, negative
    /// positions clamped to 0, the last row / column repeated at the far edge.
    /// No antialiasing: meant for enlarging (as CAM methods do).
    public static func bilinear(_ map: [Float], h: Int, w: Int, toH: Int, toW: Int) -> [Float] {
        precondition(h > 0 && w > 0 && toH > 0 && toW > 0 && map.count == h * w,
                     "MapResize.bilinear: map of \(map.count) values is not \(h)x\(w)")
        let xs = axis(inSize: w, outSize: toW)
        let ys = axis(inSize: h, outSize: toH)
        var out = [Float](repeating: 0, count: toH * toW)
        map.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                for oy in 0..<toH {
                    let (y0, y1, fy) = ys[oy]
                    for ox in 0..<toW {
                        let (x0, x1, fx) = xs[ox]
                        let top = m[y0 * w + x0] * (1 - fx) + m[y0 * w + x1] * fx
                        let bottom = m[y1 * w + x0] * (1 - fx) + m[y1 * w + x1] * fx
                        o[oy * toW + ox] = top * (1 - fy) + bottom * fy
                    }
                }
            }
        }
        return out
    }

    /// The window [top, top + height) x [left, left + width) of `bilinear(map, h:w:toH:toW:)`,
    /// computed separably on the window only: each map row is interpolated along x once, then
    /// each output row blends two of those rows (the same arithmetic per value as `bilinear`).
    /// RISE draws thousands of masks this way.
    public static func bilinearWindow(_ map: [Float], h: Int, w: Int, toH: Int, toW: Int,
                                      top: Int, left: Int, height: Int, width: Int) -> [Float] {
        precondition(map.count == h * w && top >= 0 && left >= 0 && top + height <= toH && left + width <= toW,
                     "MapResize.bilinearWindow: window outside the \(toH)x\(toW) resize of a \(h)x\(w) map")
        let xs = axis(inSize: w, outSize: toW)[left..<(left + width)]
        let ys = axis(inSize: h, outSize: toH)
        var rows = [Float](repeating: 0, count: h * width)
        for r in 0..<h {
            for (i, (x0, x1, fx)) in xs.enumerated() {
                rows[r * width + i] = map[r * w + x0] * (1 - fx) + map[r * w + x1] * fx
            }
        }
        var out = [Float](repeating: 0, count: height * width)
        rows.withUnsafeBufferPointer { rp in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<height {
                    let (y0, y1, fy) = ys[top + y]
                    let a = rp.baseAddress! + y0 * width, b = rp.baseAddress! + y1 * width, dst = o.baseAddress! + y * width
                    for x in 0..<width { dst[x] = a[x] * (1 - fy) + b[x] * fy }
                }
            }
        }
        return out
    }

    /// For each output index: the two input indices and the weight of the second.
    static func axis(inSize: Int, outSize: Int) -> [(Int, Int, Float)] {
        let scale = Float(inSize) / Float(outSize)
        return (0..<outSize).map { i in
            let src = Swift.max((Float(i) + 0.5) * scale - 0.5, 0)
            let i0 = Swift.min(Int(src), inSize - 1)
            let i1 = Swift.min(i0 + 1, inSize - 1)
            return (i0, i1, src - Float(i0))
        }
    }
}
