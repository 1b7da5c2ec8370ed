import Foundation

/// sRGB to CIELAB (D65 white, 2 degree observer) with the constants scikit-image's `rgb2lab`
/// uses, so superpixel parameters tuned there (quick shift's `max_dist`, SLIC's `compactness`)
/// mean the same here: L in 0...100, a and b roughly -128...127.
enum CIELAB {
    /// Planar L, a, b planes of an image whose samples are sRGB in 0...1.
    static func convert(_ image: RGBImage) -> [Float] {
        let n = image.planeCount
        var out = [Float](repeating: 0, count: 3 * n)
        // A 4096-entry table of the sRGB decoding curve keeps the pow calls out of the pixel loop;
        // samples between entries are interpolated linearly (error far below 1e-4 in L).
        let table = linearizationTable
        let steps = Float(table.count - 1)
        @inline(__always) func linear(_ v: Float) -> Float {
            let c = Swift.min(Swift.max(v, 0), 1) * steps
            let i = Swift.min(Int(c), table.count - 2)
            let f = c - Float(i)
            return table[i] + (table[i + 1] - table[i]) * f
        }
        image.pixels.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                SegmentationParallel.rows(n) { range in
                    for i in range {
                        let r = linear(p[i]), g = linear(p[n + i]), b = linear(p[2 * n + i])
                        let x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.95047
                        let y = 0.212671 * r + 0.715160 * g + 0.072169 * b
                        let z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883
                        let fx = f(x), fy = f(y), fz = f(z)
                        o[i] = 116 * fy - 16
                        o[n + i] = 500 * (fx - fy)
                        o[2 * n + i] = 200 * (fy - fz)
                    }
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func f(_ t: Float) -> Float {
        t > 0.008856 ? cbrtf(t) : 7.787 * t + 16.0 / 116.0
    }

    private static let linearizationTable: [Float] = (0...4095).map { i in
        let v = Double(i) / 4095
        return Float(v > 0.04045 ? pow((v + 0.055) / 1.055, 2.4) : v / 12.92)
    }
}
