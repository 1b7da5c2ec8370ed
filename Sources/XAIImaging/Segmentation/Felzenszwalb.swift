import Foundation

/// Efficient graph-based segmentation (Felzenszwalb & Huttenlocher, IJCV 2004) following
/// scikit-image's `felzenszwalb` on an RGB image in 0...1: Gaussian pre-smoothing (`sigma`), an
/// 8-connected grid graph weighted by the Euclidean colour difference, edges merged in increasing
/// order while the weight is below both regions' internal difference plus `scale / 255 / size`,
/// then regions smaller than `minSize` merged along the remaining edges in the same order.
struct Felzenszwalb {
    let scale: Double
    let sigma: Double
    let minSize: Int

    func segment(_ image: RGBImage) -> Segmentation {
        let w = image.width, h = image.height, n = w * h
        let smooth = sigma > 0 ? GaussianBlur.apply(image, sigma: Float(sigma)) : image
        // Edges: right, down, down-right, up-right (as scikit-image orders them).
        var edgeA = [Int32](), edgeB = [Int32](), cost = [Float]()
        let capacity = 4 * n
        edgeA.reserveCapacity(capacity); edgeB.reserveCapacity(capacity); cost.reserveCapacity(capacity)
        smooth.pixels.withUnsafeBufferPointer { p in
            func add(_ a: Int, _ b: Int) {
                let r = p[a] - p[b], g = p[n + a] - p[n + b], bl = p[2 * n + a] - p[2 * n + b]
                edgeA.append(Int32(a)); edgeB.append(Int32(b)); cost.append((r * r + g * g + bl * bl).squareRoot())
            }
            for y in 0..<h { for x in 0..<(w - 1) { add(y * w + x, y * w + x + 1) } }
            for y in 0..<(h - 1) { for x in 0..<w { add(y * w + x, (y + 1) * w + x) } }
            for y in 0..<(h - 1) { for x in 0..<(w - 1) { add(y * w + x, (y + 1) * w + x + 1) } }
            for y in 1..<max(h, 1) { for x in 0..<(w - 1) { add(y * w + x, (y - 1) * w + x + 1) } }
        }
        // Stable order: by cost, then by edge index.
        let order = (0..<cost.count).sorted { cost[$0] != cost[$1] ? cost[$0] < cost[$1] : $0 < $1 }

        var parent = [Int32](0..<Int32(n))
        var rank = [UInt8](repeating: 0, count: n)
        var size = [Int32](repeating: 1, count: n)
        var innerDiff = [Float](repeating: 0, count: n)
        func find(_ x: Int) -> Int {
            var r = x
            while Int(parent[r]) != r { r = Int(parent[r]) }
            var y = x
            while Int(parent[y]) != r { let nx = Int(parent[y]); parent[y] = Int32(r); y = nx }
            return r
        }
        func union(_ a: Int, _ b: Int) -> Int {
            if rank[a] < rank[b] { parent[a] = Int32(b); size[b] += size[a]; return b }
            parent[b] = Int32(a); size[a] += size[b]
            if rank[a] == rank[b] { rank[a] += 1 }
            return a
        }
        let k = Float(scale / 255)
        for e in order {
            let a = find(Int(edgeA[e])), b = find(Int(edgeB[e]))
            if a == b { continue }
            let c = cost[e]
            if c < min(innerDiff[a] + k / Float(size[a]), innerDiff[b] + k / Float(size[b])) {
                let r = union(a, b)
                innerDiff[r] = c
            }
        }
        for e in order {
            let a = find(Int(edgeA[e])), b = find(Int(edgeB[e]))
            if a == b { continue }
            if Int(size[a]) < minSize || Int(size[b]) < minSize { _ = union(a, b) }
        }
        var labels = [Int32](repeating: 0, count: n)
        for i in 0..<n { labels[i] = Int32(find(i)) }
        // Regions joined only through diagonal edges split under 4-connectivity; pieces below
        // `minSize` that this creates are merged back into a 4-neighbour.
        return Segmentation(width: w, height: h, labels: labels, minSize: minSize)
    }
}
