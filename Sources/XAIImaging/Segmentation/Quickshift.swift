import CKernels
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
        let lab = CIELAB.convert(image)
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

        // The window passes run in CKernels (quickshift.c), sixteen pixels at a time, on planes
        // padded so that every lane's window loads in bounds: pixel (y, x) at y * pw + radius + x.
        let pw = w + 2 * radius + 16
        var planes = [Float](repeating: 0, count: 3 * h * pw)
        let scale = Float(ratio)
        for c in 0..<3 {
            for y in 0..<h {
                let from = c * n + y * w, to = (c * h + y) * pw + radius
                for x in 0..<w { planes[to + x] = lab[from + x] * scale }
            }
        }
        var density = [Float](repeating: 0, count: h * pw)
        planes.withUnsafeBufferPointer { p in
            spatial.withUnsafeBufferPointer { sp in
                density.withUnsafeMutableBufferPointer { d in
                    SegmentationParallel.rows(h) { rows in
                        xai_quickshift_density(p.baseAddress, h, w, pw, radius, sp.baseAddress, negInv,
                                               rows.lowerBound, rows.upperBound, d.baseAddress)
                    }
                }
            }
        }
        // Tie-breaking noise as scikit-image adds (its own generator, so values differ).
        var rng = SplitMix64(seed: Self.tieBreakSeed)
        for y in 0..<h {
            for x in 0..<w { density[y * pw + radius + x] += Float(rng.nextDouble() * 1e-5) }
        }

        // Link each pixel to the closest pixel of higher density within the window.
        let maxDistSquared = Float(maxDist * maxDist)
        var parent = [Int32](repeating: 0, count: n)
        planes.withUnsafeBufferPointer { p in
            density.withUnsafeBufferPointer { d in
                parent.withUnsafeMutableBufferPointer { par in
                    SegmentationParallel.rows(h) { rows in
                        xai_quickshift_link(p.baseAddress, d.baseAddress, h, w, pw, radius, maxDistSquared,
                                            rows.lowerBound, rows.upperBound, par.baseAddress)
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
