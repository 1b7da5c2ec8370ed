import XAICore

/// BatchNormalization (inference), Softmax, LRN and LayerNormalization: shape, forward and
/// backward rules. All four keep the input's shape.
enum NormalizationRules {
    // MARK: BatchNormalization; inputs X, scale, bias, mean, variance

    static func batchNormShape<D: ShapeDimension>(_ x: [D], parameters: ArraySlice<[D]>) throws -> [D] {
        guard x.count >= 2 else { throw ShapeIssue("input must have a channel axis, got \(x)") }
        for p in parameters {
            guard p.count == 1 else { throw ShapeIssue("scale, bias, mean and variance must be [\(x[1])], got \(p)") }
            try D.requireSame(p[0], x[1], "parameter length and channels")
        }
        return x
    }

    static func batchNormForward(epsilon: Float, _ x: [Tensor]) -> Tensor {
        let (s, t) = Normalization.batchNormAffine(scale: x[1], bias: x[2], mean: x[3], variance: x[4], epsilon: epsilon)
        return Normalization.channelAffine(x[0], scale: s, shift: t)
    }

    /// dx = dy * scale / sqrt(variance + epsilon), per channel.
    static func batchNormBackward(epsilon: Float, _ dy: Tensor, _ c: BackwardContext) throws -> Tensor {
        let (s, _) = Normalization.batchNormAffine(scale: try c.value(1), bias: try c.value(2), mean: try c.value(3),
                                                   variance: try c.value(4), epsilon: epsilon)
        return Normalization.channelAffine(dy, scale: s, shift: [Float](repeating: 0, count: s.count))
    }

    // MARK: Softmax

    /// Axis 0 would mix the items of a batch (Softmax, LayerNormalization).
    static func canonicalSoftmaxAxis(_ axis: Int, rank: Int) throws -> Int {
        let a = try resolvedAxis(axis, rank: rank, "axis")
        guard a != 0 else { throw ShapeIssue("softmax over axis 0 would mix the items of a batch") }
        return a
    }

    static func softmaxShape<D: ShapeDimension>(_ x: [D], axis: Int) throws -> [D] {
        guard axis >= 0, axis < x.count else { throw ShapeIssue("axis \(axis) out of range for \(x)") }
        return x
    }

    static func softmaxForward(axis: Int, _ x: Tensor) -> Tensor {
        Normalization.softmax(x, axis: axis)
    }

    static func softmaxBackward(axis: Int, _ dy: Tensor, _ c: BackwardContext) throws -> Tensor {
        Normalization.softmaxBackward(y: try c.output(), dy: dy, axis: axis)
    }

    // MARK: LRN (across channels)

    static func lrnShape<D: ShapeDimension>(_ x: [D], size: Int) throws -> [D] {
        guard x.count >= 2, size >= 1 else { throw ShapeIssue("needs [N, C, ...] input and size >= 1, got \(x), size \(size)") }
        return x
    }

    static func lrnForward(size: Int, alpha: Float, beta: Float, bias: Float, _ x: Tensor) -> Tensor {
        Normalization.lrn(x, size: size, alpha: alpha, beta: beta, bias: bias)
    }

    static func lrnBackward(size: Int, alpha: Float, beta: Float, bias: Float, _ dy: Tensor,
                            _ c: BackwardContext) throws -> Tensor {
        Normalization.lrnBackward(try c.value(0), dy: dy, size: size, alpha: alpha, beta: beta, bias: bias)
    }

    // MARK: LayerNormalization; inputs X, scale, optional bias

    /// The normalised axes `axis...` hold as many values as scale and bias (ONNX allows them
    /// to broadcast; exporters write them with exactly the normalised shape or flat).
    static func layerNormShape<D: ShapeDimension>(_ x: [D], axis: Int, parameters: ArraySlice<[D]>) throws -> [D] {
        guard axis >= 1, axis < x.count else { throw ShapeIssue("axis \(axis) out of range for \(x) (axis 0 would mix a batch)") }
        guard let len = D.product(x[axis...]) else { throw ShapeIssue("the normalised axes of \(x) overflow") }
        for p in parameters {
            guard let n = D.product(p[...]) else { throw ShapeIssue("scale or bias \(p) overflows") }
            try D.requireSame(n, len, "scale and bias values and the normalised axes \(Array(x[axis...]))")
        }
        return x
    }

    private static func rowLength(_ shape: [Int], axis: Int) -> Int { shape[axis...].reduce(1, *) }

    static func layerNormForward(axis: Int, epsilon: Float, _ x: [Tensor]) -> Tensor {
        Normalization.layerNorm(x[0], len: rowLength(x[0].shape, axis: axis), scale: x[1].data,
                                bias: x.count > 2 ? x[2].data : nil, epsilon: epsilon)
    }

    /// dx only; scale and bias are weights.
    static func layerNormBackward(axis: Int, epsilon: Float, _ dy: Tensor, _ c: BackwardContext) throws -> Tensor {
        Normalization.layerNormBackward(try c.value(0), dy: dy, len: rowLength(c.shape(0), axis: axis),
                                        scale: try c.value(1).data, epsilon: epsilon)
    }
}
