import Foundation
import XAICore

/// Quick shift (Vedaldi & Soatto, ECCV 2008) computed like scikit-image's `quickshift`:
/// the image in CIELAB scaled by `ratio`, joined with pixel coordinates into 5-D points; each
/// pixel's density is a Gaussian Parzen sum (std `kernelSize`) over a window of radius
/// `ceil(3 * kernelSize)`; each pixel links to the nearest pixel of higher density in that window
/// (ties broken by noise of 1e-5 drawn from a fixed seed, as scikit-image's default `rng=42`, so the
/// segmentation is a function of the image and the parameters only) unless it is farther than
/// `maxDist`; trees are segments.
/// Trees may be spatially disconnected, so pieces are split and pieces smaller than `kernelSize^2`
/// pixels are merged into a neighbour.
struct Quickshift {
    let kernelSize: Double
    let maxDist: Double
    let ratio: Double

    /// Seed of the tie-breaking noise: fixed, never the experiment's seed.
    static let tieBreakSeed: UInt64 = 42

    func segment(_ image: RGBImage) -> Segmentation {
        let w = image.width, h = image.height, n = w * h
        var lab = CIELAB.convert(image)
        let scale = Float(ratio)
        for i in lab.indices { lab[i] *= scale }
        let radius = Int((3 * kernelSize).rounded(.up))
        let negInv = Float(-0.5 / (kernelSize * kernelSize))

        // Spatial part of the kernel, shared by all pixels: exp(-(dy^2 + dx^2) / (2 k^2)).
        let side = 2 * radius + 1
        var spatial = [Float](repeating: 0, count: side * side)
        for dy in -radius...radius {
            for dx in -radius...radius {
                spatial[(dy + radius) * side + dx + radius] = expf(Float(dy * dy + dx * dx) * negInv)
            }
        }

        var density = [Float](repeating: 0, count: n)
        lab.withUnsafeBufferPointer { l in
            spatial.withUnsafeBufferPointer { sp in
                density.withUnsafeMutableBufferPointer { d in
                    SegmentationParallel.rows(h) { rows in
                        // One window row of terms at a time, computed in a loop that vectorises
                        // (exp included), then summed in order in a second: with the sum in the
                        // same loop, the exps ran one at a time.
                        var terms = [Float](repeating: 0, count: side)
                        terms.withUnsafeMutableBufferPointer { e in
                            for y in rows {
                                let y0 = max(y - radius, 0), y1 = min(y + radius + 1, h)
                                for x in 0..<w {
                                    let x0 = max(x - radius, 0), x1 = min(x + radius + 1, w)
                                    let i = y * w + x
                                    let c0 = l[i], c1 = l[n + i], c2 = l[2 * n + i]
                                    var acc: Float = 0
                                    for yy in y0..<y1 {
                                        let rowBase = yy * w
                                        let spBase = (yy - y + radius) * side + radius - x
                                        let count = x1 - x0
                                        for k in 0..<count {
                                            let j = rowBase + x0 + k
                                            let a = c0 - l[j], b = c1 - l[n + j], c = c2 - l[2 * n + j]
                                            e[k] = FastExp.exp((a * a + b * b + c * c) * negInv) * sp[spBase + x0 + k]
                                        }
                                        for k in 0..<count { acc += e[k] }
                                    }
                                    d[i] = acc
                                }
                            }
                        }
                    }
                }
            }
        }
        // Tie-breaking noise as scikit-image adds (its own generator, so values differ).
        var rng = SplitMix64(seed: Self.tieBreakSeed)
        for i in 0..<n { density[i] += Float(rng.nextDouble() * 1e-5) }

        // Link each pixel to the closest pixel of higher density within the window.
        let maxDistSquared = Float(maxDist * maxDist)
        var parent = [Int32](repeating: 0, count: n)
        lab.withUnsafeBufferPointer { l in
            density.withUnsafeBufferPointer { d in
                parent.withUnsafeMutableBufferPointer { par in
                    SegmentationParallel.rows(h) { rows in
                        for y in rows {
                            let y0 = max(y - radius, 0), y1 = min(y + radius + 1, h)
                            for x in 0..<w {
                                let x0 = max(x - radius, 0), x1 = min(x + radius + 1, w)
                                let i = y * w + x
                                let di = d[i]
                                let c0 = l[i], c1 = l[n + i], c2 = l[2 * n + i]
                                var best = Float.infinity
                                var link = i
                                for yy in y0..<y1 {
                                    let dy = Float(yy - y)
                                    for xx in x0..<x1 {
                                        let j = yy * w + xx
                                        guard d[j] > di else { continue }
                                        let a = c0 - l[j], b = c1 - l[n + j], c = c2 - l[2 * n + j]
                                        let dx = Float(xx - x)
                                        let dist = a * a + b * b + c * c + dy * dy + dx * dx
                                        if dist < best { best = dist; link = j }
                                    }
                                }
                                par[i] = Int32(best <= maxDistSquared ? link : i)
                            }
                        }
                    }
                }
            }
        }

        // Roots: parents have strictly higher density, so the links form a forest.
        var root = [Int32](repeating: -1, count: n)
        var path = [Int]()
        for i in 0..<n where root[i] < 0 {
            var j = i
            while root[j] < 0 && Int(parent[j]) != j { path.append(j); j = Int(parent[j]) }
            let r = root[j] >= 0 ? root[j] : Int32(j)
            root[j] = r
            for p in path { root[p] = r }
            path.removeAll(keepingCapacity: true)
        }
        let minSize = max(1, Int(kernelSize * kernelSize))
        return Segmentation(width: w, height: h, labels: root, minSize: minSize)
    }
}

/// exp for arguments <= 0 written with plain arithmetic so loops over it vectorise (libm's expf
/// does not): x = n ln2 + r with |r| <= ln2 / 2, e^r by a degree-6 Taylor polynomial (relative
/// error below 3e-7), 2^n from the exponent bits. Arguments below -87 give 0.
enum FastExp {
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let xc = Swift.max(x, -87)
        let k = (xc * 1.442_695_04).rounded(.toNearestOrEven)
        let r = (xc - k * 0.693_145_75) - k * 1.428_606_8e-6
        var p: Float = 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let scale = Float(bitPattern: UInt32(truncatingIfNeeded: Int32(k) + 127) << 23)
        return x < -87 ? 0 : p * scale
    }
}
