extension MapResize {
    /// The vector-Jacobian product of `bilinear(_:h:w:toH:toW:)`: `gradient` is d(loss) /
    /// d(resized map) ([toH, toW], row-major), the result d(loss) / d(map) ([h, w]). Each output
    /// pixel hands its gradient back to the (up to) four map values it blended, with the same
    /// weights. Methods that optimise a coarse mask seen at image resolution need it.
    public static func bilinearPullback(_ gradient: [Float], h: Int, w: Int, toH: Int, toW: Int) -> [Float] {
        precondition(h > 0 && w > 0 && gradient.count == toH * toW,
                     "MapResize.bilinearPullback: gradient of \(gradient.count) values is not \(toH)x\(toW)")
        let xs = axis(inSize: w, outSize: toW)
        let ys = axis(inSize: h, outSize: toH)
        var out = [Float](repeating: 0, count: h * w)
        for oy in 0..<toH {
            let (y0, y1, fy) = ys[oy]
            for ox in 0..<toW {
                let (x0, x1, fx) = xs[ox]
                let g = gradient[oy * toW + ox]
                let top = g * (1 - fy), bottom = g * fy
                out[y0 * w + x0] += top * (1 - fx)
                out[y0 * w + x1] += top * fx
                out[y1 * w + x0] += bottom * (1 - fx)
                out[y1 * w + x1] += bottom * fx
            }
        }
        return out
    }
}
