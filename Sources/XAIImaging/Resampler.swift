import Foundation

/// Resampling kernels for `Resampler`, with PIL's definitions and supports.
public enum ResizeFilter: String, Sendable, Codable, CaseIterable {
    /// Box (support 0.5): area averaging when downscaling.
    case box
    /// Triangle (support 1): PIL's `BILINEAR`, antialiased when downscaling.
    case bilinear
    /// Keys cubic with a = -0.5 (support 2): PIL's `BICUBIC`.
    case bicubic
    /// Lanczos-3 (support 3): PIL's `LANCZOS`.
    case lanczos

    var support: Double {
        switch self {
        case .box: return 0.5
        case .bilinear: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    func weight(_ x: Double) -> Double {
        switch self {
        case .box:
            return (x > -0.5 && x <= 0.5) ? 1 : 0
        case .bilinear:
            let a = abs(x)
            return a < 1 ? 1 - a : 0
        case .bicubic:
            let a = abs(x), c = -0.5
            if a < 1 { return ((c + 2) * a - (c + 3)) * a * a + 1 }
            if a < 2 { return (((a - 5) * a + 8) * a - 4) * c }
            return 0
        case .lanczos:
            return (x > -3 && x < 3) ? sinc(x) * sinc(x / 3) : 0
        }
    }

    private func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let p = x * Double.pi
        return sin(p) / p
    }
}

/// Separable convolution resampling with the same coefficients as PIL's `Image.resize`
/// (Pillow's Resample.c): when shrinking by a factor s the kernel is stretched by s, so
/// every input pixel contributes (antialiasing); when enlarging it is plain interpolation.
/// Rows are resampled first, then columns, as PIL does.
///
/// Difference from PIL: PIL works on uint8 with fixed-point weights and rounds (and clips)
/// after each pass; this works on float and rounds nothing, so results differ from PIL's
/// by at most about 1 in 0...255 units (tests print the measured maximum).
public enum Resampler {
    /// For each output index: first contributing input index, and `width` weights
    /// (normalised to sum 1) starting at `weights[i * width]`.
    struct Coefficients {
        var start: [Int]
        var count: [Int]
        var weights: [Float]
        var width: Int
    }

    static func coefficients(inSize: Int, outSize: Int, filter: ResizeFilter) -> Coefficients {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = Swift.max(scale, 1)
        let support = filter.support * filterScale
        let width = Int(support.rounded(.up)) * 2 + 1
        var c = Coefficients(start: [Int](repeating: 0, count: outSize), count: [Int](repeating: 0, count: outSize),
                             weights: [Float](repeating: 0, count: outSize * width), width: width)
        var k = [Double](repeating: 0, count: width)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let lo = Swift.max(Int(center - support + 0.5), 0)
            let hi = Swift.min(Int(center + support + 0.5), inSize)
            let n = Swift.min(Swift.max(hi - lo, 0), width)
            var total = 0.0
            for x in 0..<n {
                let w = filter.weight((Double(x + lo) - center + 0.5) / filterScale)
                k[x] = w
                total += w
            }
            for x in 0..<n { c.weights[xx * width + x] = Float(total != 0 ? k[x] / total : k[x]) }
            c.start[xx] = lo
            c.count[xx] = n
        }
        return c
    }

    /// Resizes `planes` planes of `width x height` floats (planar, contiguous) to
    /// `outWidth x outHeight`. With `clamp`, values are clipped to 0...1 and rounded to 8-bit
    /// steps after each pass, as PIL stores its intermediate image: this moves classifier
    /// probabilities by several points (rocket: missile .32 -> .38 with the embedded model), so
    /// model preprocessing keeps it to agree with the reference pipeline.
    public static func resize(_ data: [Float], planes: Int, width: Int, height: Int,
                              outWidth: Int, outHeight: Int, filter: ResizeFilter = .bilinear,
                              clamp: Bool = false) -> [Float] {
        precondition(width > 0 && height > 0 && outWidth > 0 && outHeight > 0 && data.count == planes * width * height)
        var current = data
        var w = width
        if outWidth != width {
            current = horizontal(current, rows: planes * height, width: width, outWidth: outWidth, filter: filter, clamp: clamp)
            w = outWidth
        }
        if outHeight != height {
            current = vertical(current, planes: planes, width: w, height: height, outHeight: outHeight, filter: filter, clamp: clamp)
        }
        return current
    }

    private static func horizontal(_ src: [Float], rows: Int, width: Int, outWidth: Int,
                                   filter: ResizeFilter, clamp: Bool) -> [Float] {
        let c = coefficients(inSize: width, outSize: outWidth, filter: filter)
        var out = [Float](repeating: 0, count: rows * outWidth)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                c.weights.withUnsafeBufferPointer { k in
                    for r in 0..<rows {
                        let row = s.baseAddress! + r * width
                        for x in 0..<outWidth {
                            let kk = k.baseAddress! + x * c.width, p = row + c.start[x]
                            var acc: Float = 0
                            for i in 0..<c.count[x] { acc += p[i] * kk[i] }
                            d[r * outWidth + x] = clamp ? eightBit(acc) : acc
                        }
                    }
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func eightBit(_ v: Float) -> Float {
        (Swift.min(Swift.max(v, 0), 1) * 255).rounded() / 255
    }

    private static func vertical(_ src: [Float], planes: Int, width: Int, height: Int, outHeight: Int,
                                 filter: ResizeFilter, clamp: Bool) -> [Float] {
        let c = coefficients(inSize: height, outSize: outHeight, filter: filter)
        var out = [Float](repeating: 0, count: planes * outHeight * width)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                for p in 0..<planes {
                    let plane = s.baseAddress! + p * width * height
                    for y in 0..<outHeight {
                        let dst = d.baseAddress! + (p * outHeight + y) * width
                        for x in 0..<width { dst[x] = 0 }
                        // Row-wise accumulation keeps the inner loop contiguous (vectorisable).
                        for i in 0..<c.count[y] {
                            let w = c.weights[y * c.width + i]
                            let row = plane + (c.start[y] + i) * width
                            for x in 0..<width { dst[x] += w * row[x] }
                        }
                        if clamp { for x in 0..<width { dst[x] = eightBit(dst[x]) } }
                    }
                }
            }
        }
        return out
    }
}
