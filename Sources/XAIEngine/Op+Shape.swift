import XAICore

/// Shape rules of every op, routed to their families (`Ops/`). Generic over the dimension type
/// so that the engine (concrete shapes) and the ONNX importer (batch left open) share them.
extension Op {
    /// Output shape for input shapes `x` (full shapes, batch first for computed tensors), for an
    /// op in canonical form. Throws a `ShapeIssue` describing the first inconsistency; checks
    /// that need a size the dimension type does not know are left to run time.
    public func outputShape<D: ShapeDimension>(_ x: [[D]]) throws -> [D] {
        guard arity.contains(x.count) else {
            throw ShapeIssue("expects \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) or more") inputs, got \(x.count)")
        }
        let s = x[0]
        switch self {
        case let .conv(a): return try ConvolutionRules.outputShape(a, s, weight: x[1], bias: x.count == 3 ? x[2] : nil)
        case .batchNorm: return try NormalizationRules.batchNormShape(s, parameters: x.dropFirst())
        case let .pointwise(p): return p.outputShape(s)
        case let .softmax(axis): return try NormalizationRules.softmaxShape(s, axis: axis)
        case .add, .sub, .mul, .div: return try ArithmeticRules.outputShape(s, x[1])
        case let .maxPool(p), let .averagePool(p): return try PoolingRules.outputShape(p, s)
        case .globalAveragePool: return try PoolingRules.globalOutputShape(s)
        case let .flatten(axis): return try LayoutRules.flattenShape(s, axis: axis)
        case let .reshape(target): return try LayoutRules.reshapeShape(s, target)
        case .identity: return s
        case let .transpose(perm): return try LayoutRules.transposeShape(s, perm: perm)
        case let .concat(axis): return try LayoutRules.concatShape(x, axis: axis)
        case let .pad(pads, _): return try LayoutRules.padShape(s, pads: pads)
        case let .gemm(_, _, ta, tb):
            return try LinearRules.gemmShape(s, x[1], x.count == 3 ? x[2] : nil, transA: ta, transB: tb)
        case .matMul: return try LinearRules.matMulShape(s, x[1])
        case let .reduceMean(axes, keep): return try ReductionRules.meanShape(s, axes: axes, keepDims: keep)
        case let .lrn(size, _, _, _): return try NormalizationRules.lrnShape(s, size: size)
        case let .layerNorm(axis, _): return try NormalizationRules.layerNormShape(s, axis: axis, parameters: x.dropFirst())
        }
    }

    /// The same op with axes made non-negative and defaults filled in, for an input of `rank`.
    func canonical(rank: Int) throws -> Op {
        switch self {
        case let .softmax(a): return .softmax(axis: try NormalizationRules.canonicalSoftmaxAxis(a, rank: rank))
        case let .layerNorm(a, eps): return .layerNorm(axis: try NormalizationRules.canonicalSoftmaxAxis(a, rank: rank), epsilon: eps)
        case let .flatten(a): return .flatten(axis: try LayoutRules.canonicalFlattenAxis(a, rank: rank))
        case let .concat(a): return .concat(axis: try resolvedAxis(a, rank: rank, "axis"))
        case let .transpose(perm): return .transpose(perm: try LayoutRules.canonicalPerm(perm, rank: rank))
        case let .reduceMean(axes, keep): return .reduceMean(axes: try ReductionRules.canonicalAxes(axes, rank: rank), keepDims: keep)
        default: return self
        }
    }
}

/// `axis` made non-negative for `rank` (numpy-style negative axes).
func resolvedAxis(_ axis: Int, rank: Int, _ what: String) throws -> Int {
    let v = axis < 0 ? axis + rank : axis
    guard v >= 0, v < rank else { throw ShapeIssue("\(what) \(axis) is out of range for rank \(rank)") }
    return v
}
