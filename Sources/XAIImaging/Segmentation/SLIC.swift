import Foundation

/// SLIC superpixels (Achanta et al., TPAMI 2012) in CIELAB: cluster centres start on a regular
/// grid of about `segments` cells with spacing S = sqrt(H * W / segments); for 10 iterations each
/// pixel joins the centre within 2S (per axis, as scikit-image searches) that minimises |lab - lab_c|^2 + (m / S)^2 |xy - xy_c|^2
/// (m = `compactness`), then centres move to their members' means. Connectivity is enforced as in
/// scikit-image: pieces smaller than half the nominal segment size are merged into a neighbour.
struct SLIC {
    let segments: Int
    let compactness: Double
    let iterations = 10

    func segment(_ image: RGBImage) -> Segmentation {
        let w = image.width, h = image.height, n = w * h
        let lab = CIELAB.convert(image)
        let step = max(1.0, (Double(n) / Double(segments)).squareRoot())
        let ny = max(1, min(h, Int((Double(h) / step).rounded())))
        let nx = max(1, min(w, Int((Double(w) / step).rounded())))
        let k = ny * nx
        // Centre features: L, a, b, y, x.
        var centers = [Double](repeating: 0, count: 5 * k)
        for gy in 0..<ny {
            for gx in 0..<nx {
                let cy = min(h - 1, Int((Double(gy) + 0.5) * Double(h) / Double(ny)))
                let cx = min(w - 1, Int((Double(gx) + 0.5) * Double(w) / Double(nx)))
                let c = gy * nx + gx, i = cy * w + cx
                centers[5 * c] = Double(lab[i]); centers[5 * c + 1] = Double(lab[n + i]); centers[5 * c + 2] = Double(lab[2 * n + i])
                centers[5 * c + 3] = Double(cy); centers[5 * c + 4] = Double(cx)
            }
        }
        let spatialWeight = Float((compactness / step) * (compactness / step))
        let reach = Int((2 * step).rounded(.up))
        var assignment = [Int32](repeating: 0, count: n)
        var distance = [Float](repeating: .infinity, count: n)
        lab.withUnsafeBufferPointer { l in
            for _ in 0..<iterations {
                for i in 0..<n { distance[i] = .infinity }
                // Each row band scans the centres whose window reaches it: no write conflicts.
                let frozen = centers
                assignment.withUnsafeMutableBufferPointer { asg in
                    distance.withUnsafeMutableBufferPointer { dist in
                        SegmentationParallel.rows(h) { rows in
                            for c in 0..<k {
                                let cy = frozen[5 * c + 3], cx = frozen[5 * c + 4]
                                let yLo = max(rows.lowerBound, Int(cy) - reach), yHi = min(rows.upperBound, Int(cy) + reach + 1)
                                guard yLo < yHi else { continue }
                                let xLo = max(0, Int(cx) - reach), xHi = min(w, Int(cx) + reach + 1)
                                let cl = Float(frozen[5 * c]), ca = Float(frozen[5 * c + 1]), cb = Float(frozen[5 * c + 2])
                                let fy = Float(cy), fx = Float(cx)
                                for y in yLo..<yHi {
                                    let dy = Float(y) - fy
                                    for x in xLo..<xHi {
                                        let i = y * w + x
                                        let a = l[i] - cl, b = l[n + i] - ca, d = l[2 * n + i] - cb
                                        let dx = Float(x) - fx
                                        let dd = a * a + b * b + d * d + spatialWeight * (dy * dy + dx * dx)
                                        if dd < dist[i] { dist[i] = dd; asg[i] = Int32(c) }
                                    }
                                }
                            }
                        }
                    }
                }
                // Move centres to their members' means (an empty cluster keeps its place).
                var sums = [Double](repeating: 0, count: 6 * k)
                for i in 0..<n {
                    let c = Int(assignment[i])
                    sums[6 * c] += Double(l[i]); sums[6 * c + 1] += Double(l[n + i]); sums[6 * c + 2] += Double(l[2 * n + i])
                    sums[6 * c + 3] += Double(i / w); sums[6 * c + 4] += Double(i % w); sums[6 * c + 5] += 1
                }
                for c in 0..<k where sums[6 * c + 5] > 0 {
                    for f in 0..<5 { centers[5 * c + f] = sums[6 * c + f] / sums[6 * c + 5] }
                }
            }
        }
        let minSize = max(1, Int(0.5 * Double(n) / Double(k)))
        return Segmentation(width: w, height: h, labels: assignment, minSize: minSize)
    }
}
