import XAICore

/// A tensor whose value is known at load time: an initializer, a Constant node or the
/// result of folding shape arithmetic. Integer tensors (shapes, axes, indices) keep their
/// elements as `Dim` so the batch size can flow through them symbolically; they never
/// reach the `Graph`. Float tensors become `Graph.constants` when a run-time node reads them.
struct ConstTensor {
    enum Elements {
        case float([Float])
        case int([Dim])
    }

    var shape: [Int]
    var elements: Elements

    /// Largest tensor that folding may create from a small description (ConstantOfShape,
    /// Range, broadcasting); real shape computations stay far below it.
    static let foldLimit = 1 << 24

    init(shape: [Int], elements: Elements) {
        self.shape = shape
        self.elements = elements
    }

    init(floats: [Float], shape: [Int]) { self.init(shape: shape, elements: .float(floats)) }
    init(ints: [Int], shape: [Int]) { self.init(shape: shape, elements: .int(ints.map { .value($0) })) }
    init(dims: [Dim], shape: [Int]) { self.init(shape: shape, elements: .int(dims)) }

    var count: Int {
        switch elements {
        case let .float(f): return f.count
        case let .int(d): return d.count
        }
    }

    var isFloat: Bool {
        if case .float = elements { return true }
        return false
    }

    /// The elements as integers of a shape computation (floats are truncated, as Cast does).
    var dims: [Dim]? {
        switch elements {
        case let .int(d): return d
        case let .float(f):
            var out = [Dim]()
            out.reserveCapacity(f.count)
            for x in f {
                guard let v = ConstTensor.int(from: x) else { return nil }
                out.append(.value(v))
            }
            return out
        }
    }

    /// The elements as known integers, nil when one is batch-dependent.
    var ints: [Int]? { dims.flatMap(SymbolicShape.values) }

    /// The elements as floats, nil when an integer element is batch-dependent.
    var floats: [Float]? {
        switch elements {
        case let .float(f): return f
        case let .int(d):
            return SymbolicShape.values(d)?.map { Float($0) }
        }
    }

    /// The single element of a scalar or one-element tensor.
    var scalarFloat: Float? {
        guard count == 1 else { return nil }
        return floats?.first
    }

    var scalarInt: Int? {
        guard count == 1 else { return nil }
        return ints?.first
    }

    /// Float-to-integer conversion that refuses NaN, infinities and out-of-range values
    /// instead of trapping.
    static func int(from x: Float) -> Int? {
        guard x.isFinite, abs(x) < 9.0e18 else { return nil }
        return Int(x)
    }

    /// Same elements, new shape (the caller checked the element count).
    func reshaped(_ newShape: [Int]) -> ConstTensor {
        ConstTensor(shape: newShape, elements: elements)
    }

    /// The elements at `indices` (flat, row-major) as a tensor of `newShape`.
    func taking(_ indices: [Int], shape newShape: [Int]) -> ConstTensor {
        switch elements {
        case let .float(f): return ConstTensor(shape: newShape, elements: .float(indices.map { f[$0] }))
        case let .int(d): return ConstTensor(shape: newShape, elements: .int(indices.map { d[$0] }))
        }
    }

    /// Flat indices of every element of `shape`, visited in row-major order, mapped through
    /// `map` from a multi-index to a flat source index.
    static func indices(over shape: [Int], _ map: ([Int]) -> Int) -> [Int] {
        let n = shape.reduce(1, *)
        var out = [Int]()
        out.reserveCapacity(n)
        guard n > 0 else { return out }
        var idx = [Int](repeating: 0, count: shape.count)
        for _ in 0..<n {
            out.append(map(idx))
            var k = shape.count - 1
            while k >= 0 {
                idx[k] += 1
                if idx[k] < shape[k] { break }
                idx[k] = 0
                k -= 1
            }
        }
        return out
    }

    func transposed(_ perm: [Int]) -> ConstTensor {
        let strides = Shape.strides(shape)
        let newShape = perm.map { shape[$0] }
        let idx = ConstTensor.indices(over: newShape) { i in
            var s = 0
            for (k, p) in perm.enumerated() { s += i[k] * strides[p] }
            return s
        }
        return taking(idx, shape: newShape)
    }

    /// Flat source indices for reading this tensor broadcast to `target`.
    func broadcastIndices(to target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        let strides = Shape.strides(shape)
        return ConstTensor.indices(over: target) { i in
            var s = 0
            for k in 0..<shape.count where shape[k] != 1 { s += i[k + offset] * strides[k] }
            return s
        }
    }
}
