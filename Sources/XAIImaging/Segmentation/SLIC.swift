import Foundation

/// SLIC superpixels (Achanta et al., TPAMI 2012) computed as scikit-image's `slic` does for an
/// RGB image (sigma 0, 10 iterations, enforced connectivity), so that its parameters mean the same:
/// - the image is stretched to span 0...1, then converted to CIELAB;
/// - centres start on scikit-image's `regular_grid`: an integer step (the rounded
///   sqrt(H * W / segments)) from half a step in, with colour 0 (scikit-image does not sample the
///   image there, so the first assignment is pulled towards dark pixels);
/// - each pixel joins the centre within two steps per axis that minimises
///   |yx - yx_c|^2 / step^2 + |lab - lab_c|^2 / compactness^2 (first centre on ties), then centres
///   move to their members' means; a centre that loses every pixel stays unused;
/// - connectivity as scikit-image enforces it: a raster scan grows each 4-connected piece by
///   breadth-first search up to 3 segment sizes, and pieces under half a segment size join the
///   last labelled piece the search touched.
struct SLIC {
    let segments: Int
    let compactness: Double
    let iterations = 10

    func segment(_ image: RGBImage) -> Segmentation {
        let w = image.width, h = image.height, n = w * h
        let ratio = 1 / compactness
        let lab = CIELAB.convert(Self.stretched(image)).map { Double($0) * ratio }
        let (starts, steps) = Self.regularGrid([h, w], points: segments)
        let ys = Array(stride(from: starts[0], to: h, by: steps[0]))
        let xs = Array(stride(from: starts[1], to: w, by: steps[1]))
        let k = ys.count * xs.count
        // The search window comes from the grid for the number of centres actually placed.
        let window = Self.regularGrid([h, w], points: k).steps
        // Centre features: y, x, L, a, b (colours scaled by 1 / compactness like the image).
        var centers = [Double](repeating: 0, count: 5 * k)
        for (gy, y) in ys.enumerated() {
            for (gx, x) in xs.enumerated() {
                let c = gy * xs.count + gx
                centers[5 * c] = Double(y); centers[5 * c + 1] = Double(x)
            }
        }
        var alive = [Bool](repeating: true, count: k)
        let step = Double(steps.max() ?? 1)
        let spatialWeight = 1 / (step * step)
        let (reachY, reachX) = (Double(2 * window[0]), Double(2 * window[1]))
        var assignment = [Int32](repeating: -1, count: n)
        var distance = [Double](repeating: .infinity, count: n)
        lab.withUnsafeBufferPointer { l in
            for _ in 0..<iterations {
                for i in 0..<n { distance[i] = .infinity }
                // Each row band scans the centres whose window reaches it: no write conflicts, and
                // within a pixel the centres are visited in order, as in scikit-image.
                let frozen = centers, live = alive
                assignment.withUnsafeMutableBufferPointer { asg in
                    distance.withUnsafeMutableBufferPointer { dist in
                        SegmentationParallel.rows(h) { rows in
                            for c in 0..<k where live[c] {
                                let cy = frozen[5 * c], cx = frozen[5 * c + 1]
                                let yLo = max(rows.lowerBound, Int(max(cy - reachY, 0)))
                                let yHi = min(rows.upperBound, Int(min(cy + reachY + 1, Double(h))))
                                guard yLo < yHi else { continue }
                                let xLo = Int(max(cx - reachX, 0)), xHi = Int(min(cx + reachX + 1, Double(w)))
                                let cl = frozen[5 * c + 2], ca = frozen[5 * c + 3], cb = frozen[5 * c + 4]
                                for y in yLo..<yHi {
                                    let dy = (cy - Double(y)) * (cy - Double(y))
                                    for x in xLo..<xHi {
                                        let i = y * w + x
                                        let dx = (cx - Double(x)) * (cx - Double(x))
                                        let a = l[i] - cl, b = l[n + i] - ca, d = l[2 * n + i] - cb
                                        let dd = (dy + dx) * spatialWeight + a * a + b * b + d * d
                                        if dist[i] > dd { dist[i] = dd; asg[i] = Int32(c) }
                                    }
                                }
                            }
                        }
                    }
                }
                // Move centres to their members' means.
                var sums = [Double](repeating: 0, count: 6 * k)
                for i in 0..<n {
                    let c = Int(assignment[i])
                    guard c >= 0 else { continue }
                    sums[6 * c] += Double(i / w); sums[6 * c + 1] += Double(i % w)
                    sums[6 * c + 2] += l[i]; sums[6 * c + 3] += l[n + i]; sums[6 * c + 4] += l[2 * n + i]
                    sums[6 * c + 5] += 1
                }
                for c in 0..<k {
                    guard sums[6 * c + 5] > 0 else { alive[c] = false; continue }
                    for f in 0..<5 { centers[5 * c + f] = sums[6 * c + f] / sums[6 * c + 5] }
                }
            }
        }
        let segmentSize = Double(n) / Double(k)
        let connected = Self.enforceConnectivity(assignment, width: w, height: h,
                                                 minSize: Int(0.5 * segmentSize), maxSize: Int(3 * segmentSize))
        return Segmentation(width: w, height: h, labels: connected)
    }

    /// The image stretched so that its smallest sample (over all channels) is 0 and its largest
    /// 1, as scikit-image's `slic` does before converting to CIELAB.
    static func stretched(_ image: RGBImage) -> RGBImage {
        guard let lo = image.pixels.min(), let hi = image.pixels.max(), lo != 0 || hi != 1 else { return image }
        let scale = hi > lo ? 1 / (hi - lo) : 1
        return RGBImage(width: image.width, height: image.height, pixels: image.pixels.map { ($0 - lo) * scale })
    }

    /// scikit-image's `regular_grid` for a 2-D shape seen as [1, H, W]: about `points` points,
    /// the step per axis rounded to an integer and the first point half a step in.
    static func regularGrid(_ shape: [Int], points: Int) -> (starts: [Int], steps: [Int]) {
        let dims = [1] + shape
        let size = Double(dims.reduce(1, *))
        guard size > Double(points) else { return ([0, 0], [1, 1]) }
        let order = dims.indices.sorted { dims[$0] < dims[$1] }   // stable, as numpy's argsort here
        let sorted = order.map { Double(dims[$0]) }
        var steps = [Double](repeating: pow(size / Double(points), 1 / Double(dims.count)), count: dims.count)
        if zip(sorted, steps).contains(where: { $0 < $1 }) {
            for d in 0..<dims.count {
                steps[d] = sorted[d]
                let rest = sorted[(d + 1)...].reduce(1, *)
                let left = Double(dims.count - d - 1)
                for e in (d + 1)..<dims.count { steps[e] = pow(rest / Double(points), 1 / left) }
                if !zip(sorted, steps).contains(where: { $0 < $1 }) { break }
            }
        }
        var starts = [Int](repeating: 0, count: dims.count), ints = [Int](repeating: 1, count: dims.count)
        for (s, axis) in order.enumerated() {
            starts[axis] = Int((steps[s] / 2).rounded(.down))
            ints[axis] = Int(steps[s].rounded(.toNearestOrEven))
        }
        return (Array(starts.dropFirst()), Array(ints.dropFirst()).map { max($0, 1) })
    }

    /// Connected pieces in raster order, grown breadth-first (right, left, down, up) up to
    /// `maxSize` pixels; a piece under `minSize` takes the label of the last labelled piece its
    /// search touched (scikit-image's `_enforce_label_connectivity_cython`).
    static func enforceConnectivity(_ labels: [Int32], width w: Int, height h: Int, minSize: Int, maxSize: Int) -> [Int32] {
        let unset: Int32 = -1
        var out = [Int32](repeating: unset, count: labels.count)
        var queue = [Int](repeating: 0, count: max(maxSize, 1))
        var next: Int32 = 0
        for start in labels.indices where out[start] == unset {
            let label = labels[start]
            var adjacent = unset
            out[start] = next
            queue[0] = start
            var size = 1, visited = 0
            search: while visited < size && size < maxSize {
                let p = queue[visited], y = p / w, x = p % w
                for (dy, dx) in [(0, 1), (0, -1), (1, 0), (-1, 0)] {
                    let yy = y + dy, xx = x + dx
                    guard yy >= 0, yy < h, xx >= 0, xx < w else { continue }
                    let q = yy * w + xx
                    if labels[q] == label && out[q] == unset {
                        out[q] = next
                        queue[size] = q
                        size += 1
                        if size >= maxSize { visited += 1; break search }
                    } else if out[q] != unset && out[q] != next {
                        adjacent = out[q]
                    }
                }
                visited += 1
            }
            if size < minSize {
                for i in 0..<size { out[queue[i]] = adjacent }
            } else {
                next += 1
            }
        }
        // A small first piece with no labelled neighbour keeps "unset" in scikit-image (label 0
        // there); here it becomes a segment of its own.
        return out.map { $0 == unset ? next : $0 }
    }
}
