/// Connected-component relabelling shared by the superpixel algorithms: their raw output may hold
/// regions that are not 4-connected (quick shift links pixels up to a window apart, Felzenszwalb
/// uses 8-connectivity, SLIC clusters can fragment) and tiny pieces the explanation methods cannot use.
enum ConnectedComponents {
    /// Splits every label into its 4-connected pieces, merges pieces smaller than `minSize` into the
    /// neighbour they share the longest border with (ties: the lower piece number), and numbers the
    /// result in raster order of first pixels. Returns the labels and their count.
    static func relabel(_ labels: [Int32], width: Int, height: Int, minSize: Int) -> ([Int32], Int) {
        let n = width * height
        guard n > 0 else { return ([], 0) }
        var (component, count) = components(labels, width: width, height: height)
        if minSize > 1 && count > 1 {
            mergeSmall(&component, count: count, width: width, height: height, minSize: minSize)
        }
        // Raster-order renumbering of whatever ids survived.
        var map = [Int32](repeating: -1, count: count)
        var next: Int32 = 0
        var out = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let c = Int(component[i])
            if map[c] < 0 { map[c] = next; next += 1 }
            out[i] = map[c]
        }
        return (out, Int(next))
    }

    /// 4-connected pieces of equal label, numbered in raster order of their first pixel.
    static func components(_ labels: [Int32], width: Int, height: Int) -> ([Int32], Int) {
        let n = width * height
        var comp = [Int32](repeating: -1, count: n)
        var stack = [Int]()
        stack.reserveCapacity(1024)
        var count: Int32 = 0
        labels.withUnsafeBufferPointer { lab in
            comp.withUnsafeMutableBufferPointer { cp in
                for start in 0..<n where cp[start] < 0 {
                    let l = lab[start]
                    cp[start] = count
                    stack.append(start)
                    while let p = stack.popLast() {
                        let x = p % width
                        if x > 0, cp[p - 1] < 0, lab[p - 1] == l { cp[p - 1] = count; stack.append(p - 1) }
                        if x + 1 < width, cp[p + 1] < 0, lab[p + 1] == l { cp[p + 1] = count; stack.append(p + 1) }
                        if p >= width, cp[p - width] < 0, lab[p - width] == l { cp[p - width] = count; stack.append(p - width) }
                        if p + width < n, cp[p + width] < 0, lab[p + width] == l { cp[p + width] = count; stack.append(p + width) }
                    }
                    count += 1
                }
            }
        }
        return (comp, Int(count))
    }

    /// Merges pieces below `minSize`, smallest first, rewriting `component` to surviving ids
    /// (piece ids stay in `component` during merging and are resolved through the union-find).
    private static func mergeSmall(_ component: inout [Int32], count: Int, width: Int, height: Int, minSize: Int) {
        let n = width * height
        var members = [[Int]](repeating: [], count: count)
        for i in 0..<n { members[Int(component[i])].append(i) }
        var parent = Array(0..<count)
        func find(_ x: Int) -> Int {
            var r = x
            while parent[r] != r { r = parent[r] }
            var y = x
            while parent[y] != r { let nx = parent[y]; parent[y] = r; y = nx }
            return r
        }
        let order = (0..<count).filter { members[$0].count < minSize }
            .sorted { (members[$0].count, $0) < (members[$1].count, $1) }
        var border = [Int: Int]()
        for start in order {
            var r = find(start)
            while members[r].count < minSize {
                border.removeAll(keepingCapacity: true)
                for p in members[r] {
                    let x = p % width
                    if x > 0 { let q = find(Int(component[p - 1])); if q != r { border[q, default: 0] += 1 } }
                    if x + 1 < width { let q = find(Int(component[p + 1])); if q != r { border[q, default: 0] += 1 } }
                    if p >= width { let q = find(Int(component[p - width])); if q != r { border[q, default: 0] += 1 } }
                    if p + width < n { let q = find(Int(component[p + width])); if q != r { border[q, default: 0] += 1 } }
                }
                guard let best = border.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) })?.key else { break }
                // Keep the larger member list as the root so merging stays cheap.
                let (keep, drop) = members[best].count >= members[r].count ? (best, r) : (r, best)
                parent[drop] = keep
                members[keep].append(contentsOf: members[drop])
                members[drop] = []
                r = keep
            }
        }
        for i in 0..<n { component[i] = Int32(find(Int(component[i]))) }
    }
}
