import Foundation

/// Separable Gaussian blur with the conventions of `scipy.ndimage.gaussian_filter`:
/// kernel radius `Int(4 * sigma + 0.5)`, weights `exp(-x^2 / (2 sigma^2))` normalised to
/// sum 1, and borders extended by mirror reflection including the edge pixel
/// (`d c b a | a b c d | d c b a`, scipy's mode "reflect").
public enum GaussianBlur {
    /// Blurs each plane of an image; `sigma` in pixels (<= 0 returns the image unchanged).
    public static func apply(_ image: RGBImage, sigma: Float) -> RGBImage {
        RGBImage(width: image.width, height: image.height,
                 pixels: blur(image.pixels, planes: 3, width: image.width, height: image.height, sigma: sigma))
    }

    /// Blurs a single-channel map of `width x height` values (row-major).
    public static func apply(map: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
        blur(map, planes: 1, width: width, height: height, sigma: sigma)
    }

    /// The normalised 1-D kernel, `2 * radius + 1` taps.
    public static func kernel(sigma: Float) -> [Float] {
        let radius = Int(4 * Double(sigma) + 0.5)
        var k = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / Double(sigma * sigma)) }
        let total = k.reduce(0, +)
        k = k.map { $0 / total }
        return k.map { Float($0) }
    }

    /// Index in 0..<n of position i after mirror reflection ("reflect": edge pixel repeated).
    @inline(__always)
    static func reflect(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        let period = 2 * n
        var j = i % period
        if j < 0 { j += period }
        return j < n ? j : period - 1 - j
    }

    static func blur(_ data: [Float], planes: Int, width: Int, height: Int, sigma: Float) -> [Float] {
        precondition(data.count == planes * width * height)
        guard sigma > 0, width > 0, height > 0 else { return data }
        let k = kernel(sigma: sigma)
        let r = k.count / 2
        var tmp = [Float](repeating: 0, count: data.count)
        var out = [Float](repeating: 0, count: data.count)
        // Rows: gather with reflected indices (precomputed per output column).
        let colIndex = (0..<width).map { x in (-r...r).map { reflect(x + $0, width) } }
        data.withUnsafeBufferPointer { s in
            tmp.withUnsafeMutableBufferPointer { d in
                for row in 0..<(planes * height) {
                    let base = row * width
                    for x in 0..<width {
                        var acc: Float = 0
                        let idx = colIndex[x]
                        for t in 0..<k.count { acc += k[t] * s[base + idx[t]] }
                        d[base + x] = acc
                    }
                }
            }
        }
        // Columns: accumulate whole rows so the inner loop runs over contiguous memory.
        tmp.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                for p in 0..<planes {
                    let plane = p * width * height
                    for y in 0..<height {
                        let dst = d.baseAddress! + plane + y * width
                        for t in 0..<k.count {
                            let src = s.baseAddress! + plane + reflect(y + t - r, height) * width
                            let w = k[t]
                            for x in 0..<width { dst[x] += w * src[x] }
                        }
                    }
                }
            }
        }
        return out
    }
}

extension RGBImage {
    /// Gaussian-blurred copy (see `GaussianBlur`).
    public func blurred(sigma: Float) -> RGBImage { GaussianBlur.apply(self, sigma: sigma) }
}
