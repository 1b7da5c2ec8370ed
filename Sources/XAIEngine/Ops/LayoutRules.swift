import XAICore

/// Ops that move or relabel values without arithmetic: Flatten, Reshape, Identity, Transpose,
/// Concat and Pad (constant; negative pads crop). Shape, forward and backward rules.
enum LayoutRules {
    // MARK: Flatten, Reshape, Identity: the same values under another shape

    static func canonicalFlattenAxis(_ axis: Int, rank: Int) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a <= rank else { throw ShapeIssue("axis \(axis) is out of range for rank \(rank)") }
        return a
    }

    /// [product of the dimensions before `axis`, product of the rest].
    static func flattenShape<D: ShapeDimension>(_ x: [D], axis: Int) throws -> [D] {
        guard axis >= 0, axis <= x.count else { throw ShapeIssue("axis \(axis) out of range for \(x)") }
        guard let outer = D.product(x[..<axis]), let inner = D.product(x[axis...]) else {
            throw ShapeIssue("flattening \(x) overflows")
        }
        return [outer, inner]
    }

    /// ONNX Reshape with allowzero = 0: 0 copies the input dimension at the same index, one -1
    /// is inferred from the element count.
    static func reshapeShape<D: ShapeDimension>(_ x: [D], _ target: [Int]) throws -> [D] {
        var out = [D]()
        var inferAt: Int?
        for (k, t) in target.enumerated() {
            switch t {
            case 0:
                guard k < x.count else { throw ShapeIssue("0 at index \(k) but the input \(x) has rank \(x.count)") }
                out.append(x[k])
            case -1:
                guard inferAt == nil else { throw ShapeIssue("more than one -1 in \(target)") }
                inferAt = k
                out.append(D.value(1))
            case let v where v > 0:
                out.append(D.value(v))
            default:
                throw ShapeIssue("invalid dimension \(t) in \(target)")
            }
        }
        guard let total = D.product(x), let given = D.product(out) else {
            throw ShapeIssue("reshape of \(x) to \(target) overflows")
        }
        if let k = inferAt {
            guard let q = D.divide(total, given) else { throw ShapeIssue("cannot infer -1 in \(target) from \(x)") }
            if let t = total.known, let g = given.known, t % g != 0 {
                throw ShapeIssue("cannot reshape \(x) (\(t) values) to \(target)")
            }
            out[k] = q
        } else if let t = total.known, let g = given.known, t != g {
            throw ShapeIssue("cannot reshape \(x) (\(t) values) to \(target)")
        }
        return out
    }

    /// Flatten and Reshape forward: the input's values under the output shape.
    static func relabelForward(_ op: Op, _ x: Tensor) -> Tensor {
        // Checked at init; a batch only changes the leading dimension.
        x.reshaped(try! op.outputShape([x.shape]))
    }

    static func relabelBackward(_ dy: Tensor, _ c: BackwardContext) -> Tensor {
        dy.reshaped(c.shape(0))
    }

    // MARK: Transpose

    /// Empty `perm` reverses the axes.
    static func canonicalPerm(_ perm: [Int], rank: Int) throws -> [Int] {
        perm.isEmpty ? Array((0..<rank).reversed()) : try perm.map { try resolvedAxis($0, rank: rank, "perm entry") }
    }

    static func transposeShape<D: ShapeDimension>(_ x: [D], perm: [Int]) throws -> [D] {
        guard perm.count == x.count, Set(perm) == Set(0..<x.count) else {
            throw ShapeIssue("perm \(perm) is not a permutation of the axes of \(x)")
        }
        return perm.map { x[$0] }
    }

    static func transposeForward(perm: [Int], _ x: Tensor) -> Tensor {
        Layout.transpose(x, perm: perm)
    }

    static func transposeBackward(perm: [Int], _ dy: Tensor) -> Tensor {
        Layout.transpose(dy, perm: Layout.inversePerm(perm))
    }

    // MARK: Concat

    static func concatShape<D: ShapeDimension>(_ shapes: [[D]], axis: Int) throws -> [D] {
        guard let first = shapes.first, axis >= 0, axis < first.count else {
            throw ShapeIssue("axis \(axis) is out of range for \(shapes.first ?? [])")
        }
        var out = first
        var total = first[axis]
        for s in shapes.dropFirst() {
            guard s.count == first.count else { throw ShapeIssue("inputs \(shapes) differ in rank") }
            for k in 0..<s.count where k != axis {
                try D.requireSame(out[k], s[k], "shapes \(shapes) outside axis \(axis): dimension \(k)")
                if out[k].isUnconstrained { out[k] = s[k] }
            }
            total = total + s[axis]
        }
        out[axis] = total
        return out
    }

    static func concatForward(axis: Int, _ x: [Tensor]) -> Tensor {
        Layout.concat(x, axis: axis)
    }

    /// Each operand's gradient is its slice of dy.
    static func concatBackward(axis: Int, _ dy: Tensor, need: [Bool], _ c: BackwardContext) -> [Tensor?] {
        let shapes = need.indices.map { c.shape($0) }
        return need.indices.map { i in need[i] ? Layout.concatSlice(dy, shapes: shapes, axis: axis, index: i) : nil }
    }

    // MARK: Pad; pads = [b_0, b_1, ..., e_0, e_1, ...]

    static func padShape<D: ShapeDimension>(_ x: [D], pads: [Int]) throws -> [D] {
        guard pads.count == 2 * x.count else {
            throw ShapeIssue("pads \(pads) do not fit input \(x) (need \(2 * x.count) values)")
        }
        return try x.enumerated().map { k, d in
            let r = d + D.value(pads[k]) + D.value(pads[k + x.count])
            if let v = r.known, v < 0 { throw ShapeIssue("pads \(pads) make dimension \(k) of \(x) negative") }
            return r
        }
    }

    static func padForward(pads: [Int], value: Float, _ x: Tensor) -> Tensor {
        Layout.pad(x, pads: pads, value: value)
    }

    static func padBackward(pads: [Int], _ dy: Tensor, _ c: BackwardContext) -> Tensor {
        Layout.padBackward(dy, inputShape: c.shape(0), pads: pads)
    }
}
