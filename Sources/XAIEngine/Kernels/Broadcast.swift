import XAICore

/// Numpy-style broadcasting for the binary elementwise ops, and the reduction that brings a
/// gradient back to an operand's shape (summing over the broadcast axes).
enum Broadcast {
    enum BinaryOp { case add, sub, mul, div }

    /// Element strides of `shape` viewed in `outShape` (0 along broadcast axes).
    static func strides(_ shape: [Int], in outShape: [Int]) -> [Int] {
        let r = outShape.count
        let padded = [Int](repeating: 1, count: r - shape.count) + shape
        let contiguous = Shape.strides(padded)
        return (0..<r).map { padded[$0] == 1 && outShape[$0] != 1 ? 0 : contiguous[$0] }
    }

    /// Merges adjacent axes that are contiguous for every operand, so the innermost loop is long.
    static func collapse(_ dims: [Int], _ strides: [[Int]]) -> ([Int], [[Int]]) {
        var d: [Int] = []
        var s: [[Int]] = strides.map { _ in [] }
        for i in 0..<dims.count where dims[i] != 1 {
            if let last = d.last, strides.indices.allSatisfy({ s[$0].last! == strides[$0][i] * dims[i] }) {
                d[d.count - 1] = last * dims[i]
                for k in strides.indices { s[k][s[k].count - 1] = strides[k][i] }
            } else {
                d.append(dims[i])
                for k in strides.indices { s[k].append(strides[k][i]) }
            }
        }
        if d.isEmpty { return ([1], strides.map { _ in [0] }) }
        return (d, s)
    }

    /// Calls `inner(offsetA, offsetB, outOffset, count, strideA, strideB)` over the innermost
    /// collapsed axis for every outer index, chunked across cores.
    static func iterate(out: [Int], sa: [Int], sb: [Int],
                        _ inner: (Int, Int, Int, Int, Int, Int) -> Void) {
        let (dims, st) = collapse(out, [sa, sb])
        let last = dims.count - 1
        let len = dims[last]
        let outer = dims.dropLast().reduce(1, *)
        let outerDims = Array(dims.dropLast())
        // Same-shape operands collapse to one axis (outer 1): split it too, else a residual
        // Add of a [1, 256, 56, 56] map ran on one core while the other waited.
        let pieces = outer >= Parallel.cores ? 1 : max(1, min(Parallel.cores * Parallel.chunksPerCore, len / Elementwise.grain))
        let (sa, sb) = (st[0][last], st[1][last])
        Parallel.forRanges(outer * pieces, grain: max(1, Elementwise.grain / max(1, len / pieces))) { r in
            for u in r {
                let (o, p) = (u / pieces, u % pieces)
                var rem = o, oa = 0, ob = 0
                for k in stride(from: outerDims.count - 1, through: 0, by: -1) {
                    let idx = rem % outerDims[k]
                    rem /= outerDims[k]
                    oa += idx * st[0][k]
                    ob += idx * st[1][k]
                }
                let lo = len * p / pieces, hi = len * (p + 1) / pieces
                inner(oa + lo * sa, ob + lo * sb, o * len + lo, hi - lo, sa, sb)
            }
        }
    }

    static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, workspace: Workspace? = nil) -> Tensor? {
        guard let outShape = Int.broadcast(a.shape, b.shape) else { return nil }
        let sa = strides(a.shape, in: outShape), sb = strides(b.shape, in: outShape)
        let ws = workspace ?? Workspace()
        return ws.tensor(outShape) { y, _ in
            a.data.withUnsafeBufferPointer { ab in
                b.data.withUnsafeBufferPointer { bb in
                    let ap = ab.baseAddress!, bp = bb.baseAddress!
                    iterate(out: outShape, sa: sa, sb: sb) { oa, ob, oy, n, ia, ib in
                        kernel(op, ap + oa, ia, bp + ob, ib, y + oy, n)
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func kernel(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ ia: Int,
                               _ b: UnsafePointer<Float>, _ ib: Int, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        // Inner strides are 0 or 1 after collapsing; specialise so the loops vectorise.
        switch (ia, ib) {
        case (1, 1):
            switch op {
            case .add: for i in 0..<n { y[i] = a[i] + b[i] }
            case .sub: for i in 0..<n { y[i] = a[i] - b[i] }
            case .mul: for i in 0..<n { y[i] = a[i] * b[i] }
            case .div: for i in 0..<n { y[i] = a[i] / b[i] }
            }
        case (1, 0):
            let s = b[0]
            switch op {
            case .add: for i in 0..<n { y[i] = a[i] + s }
            case .sub: for i in 0..<n { y[i] = a[i] - s }
            case .mul: for i in 0..<n { y[i] = a[i] * s }
            case .div: for i in 0..<n { y[i] = a[i] / s }
            }
        case (0, 1):
            let s = a[0]
            switch op {
            case .add: for i in 0..<n { y[i] = s + b[i] }
            case .sub: for i in 0..<n { y[i] = s - b[i] }
            case .mul: for i in 0..<n { y[i] = s * b[i] }
            case .div: for i in 0..<n { y[i] = s / b[i] }
            }
        default:
            for i in 0..<n {
                let x = a[i * ia], z = b[i * ib]
                switch op {
                case .add: y[i] = x + z
                case .sub: y[i] = x - z
                case .mul: y[i] = x * z
                case .div: y[i] = x / z
                }
            }
        }
    }

    /// Sums `t` over the axes along which an operand of shape `target` was broadcast to t's shape.
    static func reduce(_ t: Tensor, to target: [Int]) -> Tensor {
        if t.shape == target { return t }
        let st = strides(target, in: t.shape)
        let (dims, s) = collapse(t.shape, [st, Shape.strides(t.shape)])
        var out = Tensor(zeros: target)
        // Sequential: several output elements may collect from the same target element.
        out.data.withUnsafeMutableBufferPointer { ob in
            t.data.withUnsafeBufferPointer { tb in
                let op = ob.baseAddress!, tp = tb.baseAddress!
                let last = dims.count - 1, len = dims[last]
                let outer = dims.dropLast().reduce(1, *)
                let ts = s[0][last]
                for o in 0..<outer {
                    var rem = o, oo = 0, ot = 0
                    for k in stride(from: last - 1, through: 0, by: -1) {
                        let idx = rem % dims[k]
                        rem /= dims[k]
                        oo += idx * s[0][k]
                        ot += idx * s[1][k]
                    }
                    let src = tp + ot, dst = op + oo
                    if ts == 0 {
                        var acc: Float = 0
                        for i in 0..<len { acc += src[i] }
                        dst[0] += acc
                    } else {
                        for i in 0..<len { dst[i] += src[i] }
                    }
                }
            }
        }
        return out
    }
}
