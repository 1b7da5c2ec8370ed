import XAICore

/// Data-movement ops: Transpose, Concat, Pad (constant, negative pads crop), with backward.
enum Layout {
    // MARK: Transpose

    static func transpose(_ x: Tensor, perm: [Int]) -> Tensor {
        let outShape = perm.map { x.shape[$0] }
        let inStrides = Shape.strides(x.shape)
        let st = perm.map { inStrides[$0] }   // input stride for each output axis
        let r = outShape.count
        if r == 0 { return x }
        let len = outShape[r - 1], innerStride = st[r - 1]
        let outer = outShape.dropLast().reduce(1, *)
        let outerDims = Array(outShape.dropLast())
        return Tensor(uninitialized: outShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                Parallel.forRanges(outer, grain: max(1, Elementwise.grain / max(1, len))) { rg in
                    for o in rg {
                        var rem = o, off = 0
                        for d in stride(from: outerDims.count - 1, through: 0, by: -1) {
                            off += (rem % outerDims[d]) * st[d]
                            rem /= outerDims[d]
                        }
                        let dst = y + o * len, src = xp + off
                        for i in 0..<len { dst[i] = src[i * innerStride] }
                    }
                }
            }
        }
    }

    static func inversePerm(_ perm: [Int]) -> [Int] {
        var inv = [Int](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() { inv[p] = i }
        return inv
    }

    // MARK: Concat

    static func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        let outShape = try! LayoutRules.concatShape(xs.map(\.shape), axis: axis)
        let outer = outShape.prefix(axis).reduce(1, *)
        let inner = outShape.dropFirst(axis + 1).reduce(1, *)
        let rowOut = outShape[axis] * inner
        return Tensor(uninitialized: outShape) { y, _ in
            var offset = 0
            for x in xs {
                let rowIn = x.shape[axis] * inner
                x.data.withUnsafeBufferPointer { xb in
                    let xp = xb.baseAddress
                    for o in 0..<outer where rowIn > 0 {
                        (y + o * rowOut + offset).update(from: xp! + o * rowIn, count: rowIn)
                    }
                }
                offset += rowIn
            }
        }
    }

    /// The slice of `dy` along `axis` that input `index` contributed.
    static func concatSlice(_ dy: Tensor, shapes: [[Int]], axis: Int, index: Int) -> Tensor {
        let outer = dy.shape.prefix(axis).reduce(1, *)
        let inner = dy.shape.dropFirst(axis + 1).reduce(1, *)
        let rowOut = dy.shape[axis] * inner
        let offset = shapes[..<index].reduce(0) { $0 + $1[axis] } * inner
        let rowIn = shapes[index][axis] * inner
        return Tensor(uninitialized: shapes[index]) { dx, _ in
            dy.data.withUnsafeBufferPointer { gb in
                for o in 0..<outer { (dx + o * rowIn).update(from: gb.baseAddress! + o * rowOut + offset, count: rowIn) }
            }
        }
    }

    // MARK: Pad (constant). pads = [b_0, b_1, ..., e_0, e_1, ...]; negative values crop.

    /// Copies the overlap of x and y, where y index = x index + begin along every axis.
    private static func copyOverlap(from src: UnsafePointer<Float>, _ srcShape: [Int],
                                    to dst: UnsafeMutablePointer<Float>, _ dstShape: [Int], begin: [Int]) {
        let r = srcShape.count
        // ranges of source indices that land inside the destination
        let lo = (0..<r).map { max(0, -begin[$0]) }
        let hi = (0..<r).map { min(srcShape[$0], dstShape[$0] - begin[$0]) }
        guard (0..<r).allSatisfy({ lo[$0] < hi[$0] }) else { return }
        let ss = Shape.strides(srcShape), ds = Shape.strides(dstShape)
        let counts = (0..<r).map { hi[$0] - lo[$0] }
        let len = counts[r - 1]
        let outer = counts.dropLast().reduce(1, *)
        for o in 0..<outer {
            var rem = o, so = 0, dOff = 0
            for d in stride(from: r - 2, through: 0, by: -1) {
                let i = rem % counts[d] + lo[d]
                rem /= counts[d]
                so += i * ss[d]
                dOff += (i + begin[d]) * ds[d]
            }
            let i = lo[r - 1]
            (dst + dOff + (i + begin[r - 1])).update(from: src + so + i, count: len)
        }
    }

    static func pad(_ x: Tensor, pads: [Int], value: Float) -> Tensor {
        let outShape = try! LayoutRules.padShape(x.shape, pads: pads)
        if x.rank == 0 { return x }
        var y = Tensor(shape: outShape, repeating: value)
        y.data.withUnsafeMutableBufferPointer { yb in
            x.data.withUnsafeBufferPointer { xb in
                guard let yp = yb.baseAddress, let xp = xb.baseAddress else { return }
                copyOverlap(from: xp, x.shape, to: yp, outShape, begin: Array(pads.prefix(x.rank)))
            }
        }
        return y
    }

    static func padBackward(_ dy: Tensor, inputShape: [Int], pads: [Int]) -> Tensor {
        var dx = Tensor(zeros: inputShape)
        if inputShape.isEmpty { return dy }
        dx.data.withUnsafeMutableBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { yb in
                guard let xp = xb.baseAddress, let yp = yb.baseAddress else { return }
                copyOverlap(from: yp, dy.shape, to: xp, inputShape, begin: pads.prefix(inputShape.count).map { -$0 })
            }
        }
        return dx
    }
}
