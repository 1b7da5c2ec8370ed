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

    /// What `forward` computed at each pixel that `pullback` needs again: the grid, and per
    /// pixel the smooth max, the sum of its exponentials and the exponentials themselves
    /// (`slots` per pixel, in `forEachNeighbour`'s order). Keeping them halves an extremal
    /// perturbation step's mask work: the pullback no longer recomputes each pixel's
    /// exponentials, and reads the very values it used to recompute, so the gradients keep
    /// every bit.
    struct Tape {
        let grid: [Float]
        let maxima: [Float]
        let totals: [Float]
        let exps: [Float]
        let slots: Int
    }

    /// Grid values [gridH, gridW] -> mask [H, W].
    func apply(_ grid: [Float]) -> [Float] { forward(grid).mask }

    /// The mask of `grid` and the tape its pullback reads.
    func forward(_ grid: [Float]) -> (mask: [Float], tape: Tape) {
        let n = width * height, slots = (2 * radius + 1) * (2 * radius + 1)
        var mask = [Float](repeating: 0, count: n), totals = [Float](repeating: 1, count: n)
        var exps = [Float](repeating: 0, count: n * slots)
        let chunks = rowChunks()
        mask.withUnsafeMutableBufferPointer { maskBuffer in
        totals.withUnsafeMutableBufferPointer { totalBuffer in
        exps.withUnsafeMutableBufferPointer { expBuffer in
            let (dst, total, tape) = (maskBuffer.baseAddress!, totalBuffer.baseAddress!, expBuffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                withScratch(grid) { scratch in
                    for y in chunks[c] {
                        for x in 0..<width {
                            let i = y * width + x
                            let (value, sum) = scratch.smoothMax(x: x, y: y)
                            (dst[i], total[i]) = (value, sum)
                            (tape + i * slots).update(from: scratch.exps, count: scratch.count)
                        }
                    }
                }
            }
        }}}
        return (mask, Tape(grid: grid, maxima: mask, totals: totals, exps: exps, slots: slots))
    }

    /// Vector-Jacobian product: the gradient on the grid of sum(g * apply(grid)).
    func pullback(_ grid: [Float], _ g: [Float]) -> [Float] { pullback(forward(grid).tape, g) }

    /// Vector-Jacobian product at the grid `tape` was recorded for.
    func pullback(_ tape: Tape, _ g: [Float]) -> [Float] {
        let chunks = rowChunks()
        // One accumulator per chunk (neighbouring pixels share grid points), summed at the end.
        var partial = [Float](repeating: 0, count: chunks.count * gridCount)
        let t = SmoothMask.temperature
        let n = gridCount
        partial.withUnsafeMutableBufferPointer { acc in
        tape.exps.withUnsafeBufferPointer { exps in
            let base = acc.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
                let out = base + c * n
                withScratch(tape.grid) { scratch in
                    for y in chunks[c] {
                        for x in 0..<width {
                            let i = y * width + x
                            let gv = g[i]
                            if gv == 0 { continue }
                            let (m, total, e) = (tape.maxima[i], tape.totals[i], exps.baseAddress! + i * tape.slots)
                            scratch.locate(x: x, y: y)
                            let grid = scratch.grid
                            // d smax / d z_i = p_i (1 + (z_i - smax) / T), and z_i = k_i p(v_i).
                            scratch.forEachNeighbour { j, gi, k in
                                let p = e[j] / total
                                out[gi] += gv * k * p * (1 + (k * grid[gi] - m) / t)
                            }
                        }
                    }
                }
            }
        }}
        var result = Array(partial[0..<n])
        for c in 1..<chunks.count { for i in 0..<n { result[i] += partial[c * n + i] } }
        return result
    }

    /// Runs `body` with one worker's window buffers over `grid`.
    private func withScratch(_ grid: [Float], _ body: (inout Window) -> Void) {
        let side = 2 * radius + 1
        grid.withUnsafeBufferPointer { gp in
            weights.withUnsafeBufferPointer { wp in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * side * side) { buffer in
                    var window = Window(mask: self, grid: gp.baseAddress!, weights: wp.baseAddress!,
                                        z: buffer.baseAddress!, exps: buffer.baseAddress! + side * side)
                    body(&window)
                }
            }
        }
    }

    /// One pixel's neighbourhood: the grid points of its [2 radius + 1]^2 window that lie
    /// inside the grid (a rectangle of it), visited in the window's row-major order, with
    /// z_j = k_j p(v_j) and the smooth max's exponentials of the last pixel asked for.
    /// Skipping the window's slots outside the grid, rather than filling them with -infinity
    /// and testing each, leaves the same values summed in the same order: the maps keep every
    /// bit (about 3x less time than the per-slot closures and tests).
    private struct Window {
        let mask: SmoothMask
        let grid: UnsafePointer<Float>
        let weights: UnsafePointer<Float>
        let z: UnsafeMutablePointer<Float>
        let exps: UnsafeMutablePointer<Float>
        /// The last pixel's rectangle: grid rows and columns, and its kernel values' first row.
        var rows = 0..<0, columns = 0..<0
        var kernel: UnsafePointer<Float>

        init(mask: SmoothMask, grid: UnsafePointer<Float>, weights: UnsafePointer<Float>, z: UnsafeMutablePointer<Float>,
             exps: UnsafeMutablePointer<Float>) {
            (self.mask, self.grid, self.weights, self.z, self.exps, kernel) = (mask, grid, weights, z, exps, weights)
        }

        /// How many neighbours the last pixel located has inside the grid.
        var count: Int { rows.count * columns.count }

        /// Sets the rectangle and kernel row of pixel (x, y).
        @inline(__always)
        mutating func locate(x: Int, y: Int) {
            let m = mask, s = m.step, r = m.radius, side = 2 * r + 1
            let ux = x - m.originX, uy = y - m.originY
            let cx = ux / s, cy = uy / s
            rows = max(cy - r, 0)..<min(cy + r + 1, m.gridH)
            columns = max(cx - r, 0)..<min(cx + r + 1, m.gridW)
            // Kernel value of grid point (gy, gx): kernel[(gy - rows.lowerBound) * side + gx - columns.lowerBound].
            kernel = weights + ((uy - cy * s) * s + (ux - cx * s)) * side * side
                + (rows.lowerBound - cy + r) * side + (columns.lowerBound - cx + r)
        }

        /// (smooth max, sum of exp((z - zmax) / T)) at pixel (x, y), over the finite z_j; sets
        /// z and exps for `forEachNeighbour` (each exponential is computed once per pixel).
        @inline(__always)
        mutating func smoothMax(x: Int, y: Int) -> (value: Float, total: Float) {
            locate(x: x, y: y)
            let m = mask, side = 2 * m.radius + 1
            var zmax = -Float.infinity, count = 0
            for gy in rows {
                let k = kernel + (gy - rows.lowerBound) * side - columns.lowerBound, g = grid + gy * m.gridW
                for gx in columns {
                    let v = k[gx] * g[gx]
                    z[count] = v
                    if v > zmax { zmax = v }
                    count += 1
                }
            }
            guard count > 0, zmax.isFinite else { return (0, 1) }
            // The exponentials first, the sums after: summing inside the loop of library calls
            // kept both sums on the stack across each call, a chain of store-to-load waits
            // (the same terms in the same order either way).
            let t = SmoothMask.temperature
            for j in 0..<count where z[j].isFinite { exps[j] = Foundation.exp((z[j] - zmax) / t) }
            var total: Float = 0, weighted: Float = 0
            for j in 0..<count where z[j].isFinite {
                total += exps[j]
                weighted += z[j] * exps[j]
            }
            return (weighted / total, total)
        }

        /// `body(j, grid index, k_j)` for the last pixel's neighbours inside the grid.
        @inline(__always)
        func forEachNeighbour(_ body: (Int, Int, Float) -> Void) {
            let side = 2 * mask.radius + 1
            var j = 0
            for gy in rows {
                let k = kernel + (gy - rows.lowerBound) * side - columns.lowerBound
                for gx in columns {
                    body(j, gy * mask.gridW + gx, k[gx])
                    j += 1
                }
            }
        }
    }

    /// Row ranges for the cores.
    private func rowChunks() -> [Range<Int>] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, height))
        return (0..<parts).map { p in (p * height / parts)..<((p + 1) * height / parts) }
    }
}
