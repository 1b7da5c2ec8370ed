import XAICore

/// ReduceMean: shape, forward and backward rules.
enum ReductionRules {
    /// Axes made non-negative and sorted; none means all.
    static func canonicalAxes(_ axes: [Int], rank: Int) throws -> [Int] {
        let v = axes.isEmpty ? Array(0..<rank) : try axes.map { try resolvedAxis($0, rank: rank, "axis") }
        guard Set(v).count == v.count else { throw ShapeIssue("repeated axis in \(axes)") }
        return v.sorted()
    }

    /// The input's shape without the reduced axes, or with them as 1 under `keepDims`.
    static func meanShape<D: ShapeDimension>(_ x: [D], axes: [Int], keepDims: Bool) throws -> [D] {
        guard axes.allSatisfy({ $0 >= 0 && $0 < x.count }) else { throw ShapeIssue("axes \(axes) out of range for \(x)") }
        return x.indices.compactMap { k in
            guard axes.contains(k) else { return x[k] }
            return keepDims ? D.value(1) : nil
        }
    }

    static func meanForward(axes: [Int], keepDims: Bool, _ x: Tensor) -> Tensor {
        Normalization.reduceMean(x, axes: axes, keepDims: keepDims)
    }

    static func meanBackward(axes: [Int], _ dy: Tensor, _ c: BackwardContext) -> Tensor {
        Normalization.reduceMeanBackward(dy, inputShape: c.shape(0), axes: axes)
    }
}
