/// One dimension of a tensor shape, as far as it is known. The engine's shapes are concrete
/// (`Int`); the ONNX importer's leave the batch size open. Both run the same shape rules
/// (`Op.outputShape`), so a rule is written once and checks what each side can know.
public protocol ShapeDimension: Hashable, CustomStringConvertible {
    /// A dimension of known size.
    static func value(_ size: Int) -> Self
    /// The size, nil when it is decided only at run time.
    var known: Int? { get }
    /// True when nothing about the dimension is known: broadcasting then trusts the other
    /// operand, and concatenation takes the other operand's size.
    var isUnconstrained: Bool { get }
    /// `f` applied to a known size; an open dimension stays open.
    func mapSize(_ f: (Int) throws -> Int) rethrows -> Self
    static func + (a: Self, b: Self) -> Self
    /// Product of `dims`; nil on overflow or a negative factor.
    static func product<S: Sequence>(_ dims: S) -> Self? where S.Element == Self
    /// Truncating division; nil when dividing by zero.
    static func divide(_ a: Self, _ b: Self) -> Self?
}

extension Int: ShapeDimension {
    public static func value(_ size: Int) -> Int { size }
    public var known: Int? { self }
    public var isUnconstrained: Bool { false }
    public func mapSize(_ f: (Int) throws -> Int) rethrows -> Int { try f(self) }

    public static func product<S: Sequence>(_ dims: S) -> Int? where S.Element == Int {
        var n = 1
        for d in dims {
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, d >= 0 else { return nil }
            n = p
        }
        return n
    }

    public static func divide(_ a: Int, _ b: Int) -> Int? { b == 0 ? nil : a / b }
}

/// A shape or attribute problem found while checking one node. The engine wraps it into an
/// `EngineError` naming the node and the model file, the ONNX importer into its own error.
public struct ShapeIssue: Error {
    public let detail: String
    public init(_ detail: String) { self.detail = detail }
}

/// Building blocks that several families' shape rules share.
extension ShapeDimension {
    /// Numpy-style broadcast of two shapes; nil when they are incompatible.
    public static func broadcast(_ a: [Self], _ b: [Self]) -> [Self]? {
        let rank = max(a.count, b.count)
        let one = Self.value(1)
        var out = [Self]()
        out.reserveCapacity(rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? one : a[i - (rank - a.count)]
            let y = i < rank - b.count ? one : b[i - (rank - b.count)]
            if x == y || y == one {
                out.append(x)
            } else if x == one {
                out.append(y)
            } else if x.isUnconstrained || y.isUnconstrained {
                // One side is open: the model promises they agree at run time.
                out.append(x.isUnconstrained ? y : x)
            } else {
                return nil
            }
        }
        return out
    }

    /// Throws when `a` and `b` are both known and differ.
    static func requireSame(_ a: Self, _ b: Self, _ what: @autoclosure () -> String) throws {
        if let x = a.known, let y = b.known, x != y { throw ShapeIssue("\(what()) disagree: \(x) vs \(y)") }
    }

    /// Positions of a sliding window along one axis of `size` (conv, pooling). `kernel` is the
    /// dilated extent. With `ceil`, a last window that would start inside the end padding is
    /// dropped (the ONNX and PyTorch rule).
    static func windowCount(_ size: Self, kernel: Int, stride: Int, padBegin: Int, padEnd: Int,
                            ceil: Bool = false) throws -> Self {
        try size.mapSize { n in
            guard let count = slidingWindowCount(n, kernel: kernel, stride: stride, padBegin: padBegin, padEnd: padEnd,
                                                 ceil: ceil) else {
                throw ShapeIssue("window \(kernel) does not fit the padded input \(n + padBegin + padEnd)")
            }
            return count
        }
    }
}

/// Positions of a sliding window along one axis, nil when it does not fit; the kernels size
/// their outputs with it.
func slidingWindowCount(_ size: Int, kernel: Int, stride: Int, padBegin: Int, padEnd: Int, ceil: Bool = false) -> Int? {
    let span = size + padBegin + padEnd - kernel
    guard span >= 0, stride > 0 else { return nil }
    var out = (ceil ? (span + stride - 1) / stride : span / stride) + 1
    if ceil && (out - 1) * stride >= size + padBegin { out -= 1 }
    return out
}
