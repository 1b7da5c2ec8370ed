import Foundation
import XAIImaging

extension MeaningfulPerturbation {
    /// The parts of the objective that do not need the model: the perturbation Phi, the two
    /// penalties, and the chain rule from d(score) / d(Phi) back to the mask grid.
    /// Images are planar RGB in pixel space, [3, H, W]; masks row-major.
    struct Objective {
        let image: RGBImage
        /// x~: what a deleted pixel shows, [3, H, W].
        let deleted: [Float]
        let maskSize: Int
        let l1: Double
        let tv: Double
        let beta: Double
        /// 1 / std per channel: the model sees (x - mean) / std.
        let invStd: [Float]

        /// Phi(x0; M) = M x0 + (1 - M) x~ for a mask M at image resolution.
        func perturb(_ mask: [Float]) -> [Float] {
            let n = image.width * image.height
            var out = [Float](repeating: 0, count: 3 * n)
            for c in 0..<3 {
                for i in 0..<n {
                    let k = c * n + i
                    out[k] = deleted[k] + mask[i] * (image.pixels[k] - deleted[k])
                }
            }
            return out
        }

        /// The penalties at grid `m`: l1 mean|1 - m| and tv (mean |dx m|^beta + mean |dy m|^beta).
        func penalties(_ m: [Float]) -> (l1: Double, tv: Double) {
            let s = maskSize
            let area = m.reduce(0.0) { $0 + Double(1 - $1) } / Double(s * s)
            var horizontal = 0.0, vertical = 0.0
            for y in 0..<s {
                for x in 0..<s {
                    if x + 1 < s { horizontal += pow(Double(abs(m[y * s + x + 1] - m[y * s + x])), beta) }
                    if y + 1 < s { vertical += pow(Double(abs(m[(y + 1) * s + x] - m[y * s + x])), beta) }
                }
            }
            let pairs = Double(s * (s - 1))
            return (l1 * area, tv * (horizontal + vertical) / pairs)
        }

        /// d(objective) / d(m): the penalties' gradient plus the score's, given `scoreGradient` =
        /// d(score) / d(Phi) in pixel space ([3, H, W], already averaged over the shifts).
        func gradient(_ m: [Float], scoreGradient g: [Float]) -> [Float] {
            let (w, h, s) = (image.width, image.height, maskSize)
            let n = w * h
            // d Phi / d M(u) = x0(u) - x~(u) per channel; the model's input was normalised.
            var gMask = [Float](repeating: 0, count: n)
            for c in 0..<3 {
                for i in 0..<n { gMask[i] += g[c * n + i] * invStd[c] * (image.pixels[c * n + i] - deleted[c * n + i]) }
            }
            var out = MapResize.bilinearPullback(gMask, h: s, w: s, toH: h, toW: w)
            // |1 - m| has slope -1 below 1; at m = 1 (the start) the subgradient 0 is taken.
            let l1Slope = Float(l1) / Float(s * s)
            for k in out.indices where m[k] < 1 { out[k] -= l1Slope }
            let tvScale = tv * beta / Double(s * (s - 1))
            func pair(_ a: Int, _ b: Int) {
                let d = Double(m[b] - m[a])
                guard d != 0 else { return }
                let slope = Float(tvScale * pow(abs(d), beta - 1) * (d > 0 ? 1 : -1))
                out[b] += slope
                out[a] -= slope
            }
            for y in 0..<s {
                for x in 0..<s {
                    if x + 1 < s { pair(y * s + x, y * s + x + 1) }
                    if y + 1 < s { pair(y * s + x, (y + 1) * s + x) }
                }
            }
            return out
        }
    }

    /// The paper's jitter: the image moved by (dx, dy) pixels, edges repeated.
    struct Shift {
        let dx: Int
        let dy: Int

        /// The shifted copy of a planar [3, H, W] image: out(y, x) = in(clamp(y - dy), clamp(x - dx)).
        func apply(_ pixels: [Float], width w: Int, height h: Int) -> [Float] {
            var out = [Float](repeating: 0, count: pixels.count)
            for c in 0..<3 {
                for y in 0..<h {
                    let sy = min(max(y - dy, 0), h - 1)
                    for x in 0..<w { out[c * w * h + y * w + x] = pixels[c * w * h + sy * w + min(max(x - dx, 0), w - 1)] }
                }
            }
            return out
        }

        /// Adds the vector-Jacobian product of `apply` for `gradient` (w.r.t. the shifted copy) to `sum`.
        func accumulatePullback(_ gradient: [Float], into sum: inout [Float], width w: Int, height h: Int) {
            for c in 0..<3 {
                for y in 0..<h {
                    let sy = min(max(y - dy, 0), h - 1)
                    for x in 0..<w { sum[c * w * h + sy * w + min(max(x - dx, 0), w - 1)] += gradient[c * w * h + y * w + x] }
                }
            }
        }
    }
}
