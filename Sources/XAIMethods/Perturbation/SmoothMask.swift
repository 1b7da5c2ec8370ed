import Foundation

/// The smooth mask of extremal perturbation (Fong, Patrick, Vedaldi 2019, section 3.3): a
/// smooth max-convolution of parameters on a coarse grid. Grid point v sits every `step` pixels
/// (the grid is centred on the image and overhangs it by up to one step); the mask at pixel u is
///
///     m(u) = smax_T over grid points v near u of  k(|u - v|) * p(v),
///
/// with smax_T(z) = sum z_i exp(z_i / T) / sum exp(z_i / T) (a differentiable max; T -> 0 is the
/// max) and a bump kernel that is 1 up to sigma / 2 and falls like a Gaussian of std sigma / 2
/// beyond: k(d) = exp(-2 (max(d / sigma - 1/2, 0))^2). A single grid value therefore paints a
/// disc of radius about sigma, a region of ones stays within a few percent of 1 (the smooth max
/// is a weighted mean leaning to the largest value), and a blob keeps its height instead of
/// being smeared out as a linear blur would.
/// Parameters in [0, 1] give a mask in [0, 1] (a convex combination of the z_i). `apply` maps
/// the grid [gridH, gridW] to the mask [H, W]; `pullback` maps a gradient on the mask back to
/// the grid (the vector-Jacobian product at the given grid).
struct SmoothMask {
    let width: Int
    let height: Int
    let step: Int
    let sigma: Double
    let gridW: Int
    let gridH: Int
    /// Pixel offset of grid column / row 0 (<= 0: the grid is centred and overhangs the image).
    let originX: Int
    let originY: Int
    /// Neighbourhood half-width in grid cells: beyond it k < 1e-4.
    let radius: Int
    /// Kernel values k(|u - v|) for each pixel phase (u - origin) mod step (row-major
    /// [step, step]) and each neighbour offset ([2 radius + 1]^2, row-major).
    let weights: [Float]

    /// Temperature of the smooth max (TorchRay, the authors' code, uses coldness 20).
    static let temperature: Float = 0.05
    /// Kernel value at the farthest a pixel can be from its nearest grid point, below which the
    /// mask would show holes between grid points.
    static let minimumGapValue = 0.5

    init(width: Int, height: Int, step: Int, sigma: Double) {
        self.width = width
        self.height = height
        self.step = max(1, step)
        self.sigma = sigma
        let s = self.step
        gridW = (width - 1 + s - 1) / s + 1
        gridH = (height - 1 + s - 1) / s + 1
        originX = -(((gridW - 1) * s - (width - 1)) / 2)
        originY = -(((gridH - 1) * s - (height - 1)) / 2)
        // k < 1e-4 once (d / sigma - 1/2) > sqrt(ln(1e4) / 2), i.e. d > 2.65 sigma.
        let reach = sigma * (0.5 + (log(1e4) / 2).squareRoot())
        radius = Int((reach / Double(s)).rounded(.up))
        let side = 2 * radius + 1
        var w = [Float](repeating: 0, count: s * s * side * side)
        for py in 0..<s {
            for px in 0..<s {
                for dy in -radius...radius {
                    for dx in -radius...radius {
                        let d = Double((dx * s - px) * (dx * s - px) + (dy * s - py) * (dy * s - py)).squareRoot()
                        let w0 = (py * s + px) * side * side + (dy + radius) * side + (dx + radius)
                        w[w0] = Float(SmoothMask.kernel(d, sigma: sigma))
                    }
                }
            }
        }
        weights = w
    }

    var gridCount: Int { gridW * gridH }

    /// The bump kernel: 1 up to sigma / 2, then a Gaussian fall-off of std sigma / 2.
    static func kernel(_ d: Double, sigma: Double) -> Double {
        guard sigma > 0 else { return d == 0 ? 1 : 0 }
        let e = max(d / sigma - 0.5, 0)
        return exp(-2 * e * e)
    }

    /// The smallest `sigma` for which every pixel is within kernel value `minimumGapValue` of
    /// its nearest grid point (that point is at most step / sqrt(2) away).
    static func minimumSigma(step: Int) -> Double {
        Double(step) / 2.0.squareRoot() / (0.5 + (log(1 / minimumGapValue) / 2).squareRoot())
    }

    /// Grid values [gridH, gridW] -> mask [H, W].
    func apply(_ grid: [Float]) -> [Float] {
        var mask = [Float](repeating: 0, count: width * height)
        let chunks = rowChunks()
        mask.withUnsafeMutableBufferPointer { out in
            let dst = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                var z = [Float](repeating: 0, count: (2 * radius + 1) * (2 * radius + 1))
                var e = z
                for y in chunks[c] {
                    for x in 0..<width {
                        let count = gather(grid, x: x, y: y, into: &z)
                        dst[y * width + x] = smoothMax(z, count: count, exps: &e).value
                    }
                }
            }
        }
        return mask
    }

    /// Vector-Jacobian product: the gradient on the grid of sum(g * apply(grid)).
    func pullback(_ grid: [Float], _ g: [Float]) -> [Float] {
        let chunks = rowChunks()
        // One accumulator per chunk (neighbouring pixels share grid points), summed at the end.
        var partial = [Float](repeating: 0, count: chunks.count * gridCount)
        let t = SmoothMask.temperature
        let n = gridCount
        partial.withUnsafeMutableBufferPointer { acc in
            let base = acc.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                let out = base + c * n
                var z = [Float](repeating: 0, count: (2 * radius + 1) * (2 * radius + 1))
                var e = z
                for y in chunks[c] {
                    for x in 0..<width {
                        let gv = g[y * width + x]
                        if gv == 0 { continue }
                        let count = gather(grid, x: x, y: y, into: &z)
                        let (m, total, _) = smoothMax(z, count: count, exps: &e)
                        // d smax / d z_i = p_i (1 + (z_i - smax) / T), and z_i = k_i p(v_i).
                        visit(x: x, y: y) { i, gi, k in
                            let p = e[i] / total
                            out[gi] += gv * k * p * (1 + (z[i] - m) / t)
                        }
                    }
                }
            }
        }
        var result = Array(partial[0..<n])
        for c in 1..<chunks.count { for i in 0..<n { result[i] += partial[c * n + i] } }
        return result
    }

    /// Row ranges for the cores.
    private func rowChunks() -> [Range<Int>] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, height))
        return (0..<parts).map { p in (p * height / parts)..<((p + 1) * height / parts) }
    }

    /// Calls `body(i, gridIndex, k)` for the neighbours of pixel (x, y) inside the grid, i being
    /// the neighbour's slot in the [2 radius + 1]^2 window.
    @inline(__always)
    private func visit(x: Int, y: Int, _ body: (Int, Int, Float) -> Void) {
        let s = step, side = 2 * radius + 1
        let ux = x - originX, uy = y - originY
        let cx = ux / s, cy = uy / s
        let phase = (uy - cy * s) * s + (ux - cx * s)
        let base = phase * side * side
        for dy in -radius...radius {
            let gy = cy + dy
            if gy < 0 || gy >= gridH { continue }
            for dx in -radius...radius {
                let gx = cx + dx
                if gx < 0 || gx >= gridW { continue }
                let i = (dy + radius) * side + (dx + radius)
                body(i, gy * gridW + gx, weights[base + i])
            }
        }
    }

    /// z_i = k_i p(v_i) in the window slots (slots outside the grid hold -infinity); returns
    /// the number of neighbours inside the grid.
    @inline(__always)
    private func gather(_ grid: [Float], x: Int, y: Int, into z: inout [Float]) -> Int {
        for i in z.indices { z[i] = -.infinity }
        var count = 0
        visit(x: x, y: y) { i, gi, k in z[i] = k * grid[gi]; count += 1 }
        return count
    }

    /// (smooth max, sum of exp((z - zmax) / T), zmax) over the finite entries of z; `exps[i]`
    /// gets exp((z[i] - zmax) / T) for those entries, so the pullback computes each exponential
    /// once instead of twice (exp was about half of the pullback's arithmetic; the maps keep
    /// every bit).
    @inline(__always)
    private func smoothMax(_ z: [Float], count: Int, exps: inout [Float]) -> (value: Float, total: Float, zmax: Float) {
        var zmax = -Float.infinity
        for v in z where v > zmax { zmax = v }
        guard count > 0, zmax.isFinite else { return (0, 1, 0) }
        var total: Float = 0, weighted: Float = 0
        let t = SmoothMask.temperature
        for (i, v) in z.enumerated() where v.isFinite {
            let e = Foundation.exp((v - zmax) / t)
            exps[i] = e
            total += e
            weighted += v * e
        }
        return (weighted / total, total, zmax)
    }
}
