/// Helpers for shapes that come from untrusted files.
public enum Shape {
    /// The product of `dims`, or nil when a dimension is negative or the product overflows
    /// or exceeds `limit` elements (default 2^31), so callers can refuse before allocating.
    public static func elementCount(_ dims: [Int], limit: Int = 1 << 31) -> Int? {
        var n = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= limit else { return nil }
            n = p
        }
        return n
    }

    /// Strides of a contiguous row-major tensor.
    public static func strides(_ dims: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: dims.count)
        var acc = 1
        for i in stride(from: dims.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= dims[i]
        }
        return s
    }
}

/// Errors about tensor shapes and contents.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case badShape(shape: [Int], count: Int)
    case mismatch(String)

    public var description: String {
        switch self {
        case let .badShape(shape, count):
            return "invalid tensor: shape \(shape) does not hold \(count) values"
        case let .mismatch(msg):
            return msg
        }
    }
}
