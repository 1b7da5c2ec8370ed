/// A dense float32 tensor. Image batches use NCHW layout (batch, channel, row, column);
/// the last dimension is contiguous. `Tensor` is a value type: copies share storage until
/// one of them is written (copy-on-write through `Array`).
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var data: [Float]

    /// Creates a tensor; `data.count` must equal the product of `shape`.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// Checked creation for data that comes from outside (files, user input).
    public static func checked(shape: [Int], data: [Float]) throws -> Tensor {
        guard shape.allSatisfy({ $0 >= 0 }), let n = Shape.elementCount(shape), n == data.count else {
            throw TensorError.badShape(shape: shape, count: data.count)
        }
        return Tensor(shape: shape, data: data)
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, repeating: 0)
    }

    public init(shape: [Int], repeating value: Float) {
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    public init(scalar: Float) {
        self.init(shape: [], data: [scalar])
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// Size of the leading (batch) dimension, 1 for a scalar.
    public var batch: Int { shape.first ?? 1 }

    /// Elements per item of the leading dimension.
    public var itemCount: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// Same data, new shape with the same number of elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Items `range` of the leading dimension.
    public func slice(batch range: Range<Int>) -> Tensor {
        let n = itemCount
        var s = shape
        s[0] = range.count
        return Tensor(shape: s, data: Array(data[(range.lowerBound * n)..<(range.upperBound * n)]))
    }

    /// Item `i` of the leading dimension, keeping a leading dimension of 1.
    public func item(_ i: Int) -> Tensor { slice(batch: i..<(i + 1)) }

    /// Stacks tensors of equal shape along a new or the existing leading dimension.
    /// Tensors shaped [1, ...] are concatenated into [n, ...].
    public static func concatenate(_ items: [Tensor]) -> Tensor {
        precondition(!items.isEmpty)
        var s = items[0].shape
        let tail = Array(s.dropFirst())
        var total = 0
        var data = [Float]()
        data.reserveCapacity(items.reduce(0) { $0 + $1.count })
        for t in items {
            precondition(Array(t.shape.dropFirst()) == tail, "concatenate: shape \(t.shape) vs \(s)")
            total += t.shape[0]
            data.append(contentsOf: t.data)
        }
        s[0] = total
        return Tensor(shape: s, data: data)
    }

    public var description: String {
        let head = data.prefix(6).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(data.count > 6 ? ", ..." : "")])"
    }
}

extension Tensor {
    /// Largest absolute difference between two tensors of equal element count
    /// (used by numeric tests and reference comparisons).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(count == other.count, "maxAbsDifference: \(shape) vs \(other.shape)")
        var m: Float = 0
        for i in 0..<count { m = Swift.max(m, abs(data[i] - other.data[i])) }
        return m
    }

    public var sum: Float { data.reduce(0, +) }
    public var maxValue: Float { data.max() ?? 0 }
    public var minValue: Float { data.min() ?? 0 }
}
