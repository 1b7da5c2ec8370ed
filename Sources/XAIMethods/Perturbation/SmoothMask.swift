import Foundation
import XAIImaging

/// The smooth mask of extremal perturbation as a linear operator on a coarse parameter grid:
/// grid point (i, j) sits at pixel (i * step, j * step); the grid is bilinearly interpolated to
/// every pixel and then blurred by a Gaussian of std `sigma` (borders clamped). `apply` maps
/// grid values to the [H, W] mask and `adjoint` maps a gradient on the mask back to the grid,
/// exactly (the transpose of `apply`).
struct SmoothMask {
    let width: Int
    let height: Int
    let step: Int
    let gridW: Int
    let gridH: Int
    let kernel: [Float]

    init(width: Int, height: Int, step: Int, sigma: Double) {
        self.width = width
        self.height = height
        self.step = max(1, step)
        gridW = (width - 1) / self.step + 2
        gridH = (height - 1) / self.step + 2
        kernel = sigma > 0 ? GaussianBlur.kernel(sigma: Float(sigma)) : [1]
    }

    var gridCount: Int { gridW * gridH }

    /// Grid values [gridH, gridW] -> mask [H, W].
    func apply(_ grid: [Float]) -> [Float] {
        var up = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let gy = y / step, fy = Float(y % step) / Float(step)
            for x in 0..<width {
                let gx = x / step, fx = Float(x % step) / Float(step)
                let a = grid[gy * gridW + gx], b = grid[gy * gridW + gx + 1]
                let c = grid[(gy + 1) * gridW + gx], d = grid[(gy + 1) * gridW + gx + 1]
                up[y * width + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy
            }
        }
        return blur(up, transpose: false)
    }

    /// Gradient on the mask [H, W] -> gradient on the grid [gridH, gridW].
    func adjoint(_ g: [Float]) -> [Float] {
        let gu = blur(g, transpose: true)
        var grid = [Float](repeating: 0, count: gridCount)
        for y in 0..<height {
            let gy = y / step, fy = Float(y % step) / Float(step)
            for x in 0..<width {
                let gx = x / step, fx = Float(x % step) / Float(step)
                let v = gu[y * width + x]
                grid[gy * gridW + gx] += v * (1 - fx) * (1 - fy)
                grid[gy * gridW + gx + 1] += v * fx * (1 - fy)
                grid[(gy + 1) * gridW + gx] += v * (1 - fx) * fy
                grid[(gy + 1) * gridW + gx + 1] += v * fx * fy
            }
        }
        return grid
    }

    /// Separable blur with clamped borders, or its transpose (taps scattered instead of gathered).
    private func blur(_ m: [Float], transpose: Bool) -> [Float] {
        let r = kernel.count / 2
        guard r > 0 else { return m }
        func pass(_ src: [Float], along horizontal: Bool) -> [Float] {
            var out = [Float](repeating: 0, count: src.count)
            let len = horizontal ? width : height
            for y in 0..<height {
                for x in 0..<width {
                    let pos = horizontal ? x : y
                    let i = y * width + x
                    for t in 0..<kernel.count {
                        let q = min(max(pos + t - r, 0), len - 1)
                        let j = horizontal ? y * width + q : q * width + x
                        if transpose { out[j] += kernel[t] * src[i] } else { out[i] += kernel[t] * src[j] }
                    }
                }
            }
            return out
        }
        return pass(pass(m, along: true), along: false)
    }
}
