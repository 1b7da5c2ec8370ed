import XAIImaging

/// The blur perturbation of extremal perturbation: pixel u of the perturbed image is the input
/// blurred by a Gaussian whose std shrinks from `maxSigma` (mask 0) to 0 (mask 1). As in the
/// authors' implementation, the continuum of blurs is a pyramid of `levels` images with stds
/// maxSigma * (1 - l / (levels - 1)), l = 0 (most blurred) ... levels - 1 (the input itself),
/// and mask value m reads the pyramid at position m * (levels - 1) with linear interpolation
/// between the two neighbouring levels. Layout: planar RGB in pixel space, [3, H, W].
struct BlurPyramid {
    let width: Int
    let height: Int
    /// levels x [3 * H * W].
    let planes: [[Float]]

    init(image: RGBImage, maxSigma: Double, levels: Int) {
        width = image.width
        height = image.height
        let l = max(2, levels)
        planes = (0..<l).map { i in
            let s = maxSigma * (1 - Double(i) / Double(l - 1))
            return s > 0 ? GaussianBlur.apply(image, sigma: Float(s)).pixels : image.pixels
        }
    }

    var levels: Int { planes.count }

    /// The perturbed image for `mask` [H, W] in [0, 1], and d(image) / d(mask) per pixel and
    /// channel ([3, H, W]; the mask value of pixel u only moves pixel u).
    func perturb(_ mask: [Float]) -> (image: [Float], slope: [Float]) {
        let n = width * height
        var out = [Float](repeating: 0, count: 3 * n)
        var slope = [Float](repeating: 0, count: 3 * n)
        let top = Float(levels - 1)
        for i in 0..<n {
            let pos = min(max(mask[i], 0), 1) * top
            let k = min(Int(pos), levels - 2)
            let f = pos - Float(k)
            for c in 0..<3 {
                let a = planes[k][c * n + i], b = planes[k + 1][c * n + i]
                out[c * n + i] = a + f * (b - a)
                slope[c * n + i] = top * (b - a)
            }
        }
        return (out, slope)
    }
}
