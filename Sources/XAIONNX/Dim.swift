import XAIEngine

/// A dimension (or an integer element of a shape tensor) as far as it is known at load time.
/// The batch size stays symbolic so that a graph exported with batch 1 still runs batched:
/// `Shape(x)[0]` folds to `.batch`, which a later Reshape turns back into "copy dimension 0".
enum Dim: Hashable, CustomStringConvertible {
    case value(Int)
    /// The run-time batch size.
    case batch
    /// Depends on the batch size in a way the importer does not track (e.g. batch * 7).
    case unknown

    var known: Int? {
        if case let .value(v) = self { return v }
        return nil
    }

    var description: String {
        switch self {
        case let .value(v): return String(v)
        case .batch: return "N"
        case .unknown: return "?"
        }
    }

    // Integer arithmetic of shape computations. ONNX integer arithmetic wraps, so the
    // known-value cases wrap too instead of trapping on hostile values.

    static func + (a: Dim, b: Dim) -> Dim {
        switch (a, b) {
        case let (.value(x), .value(y)): return .value(x &+ y)
        case (.batch, .value(0)), (.value(0), .batch): return .batch
        default: return .unknown
        }
    }

    static func - (a: Dim, b: Dim) -> Dim {
        switch (a, b) {
        case let (.value(x), .value(y)): return .value(x &- y)
        case (.batch, .value(0)): return .batch
        case (.batch, .batch): return .value(0)
        default: return .unknown
        }
    }

    static func * (a: Dim, b: Dim) -> Dim {
        switch (a, b) {
        case let (.value(x), .value(y)): return .value(x &* y)
        case (.batch, .value(1)), (.value(1), .batch): return .batch
        case (_, .value(0)), (.value(0), _): return .value(0)
        default: return .unknown
        }
    }

    /// Truncating division; nil when dividing by zero.
    static func divide(_ a: Dim, _ b: Dim) -> Dim? {
        switch (a, b) {
        case (_, .value(0)): return nil
        case let (.value(x), .value(y)):
            let (q, overflow) = x.dividedReportingOverflow(by: y)
            return .value(overflow ? x : q)
        case (.batch, .value(1)): return .batch
        case (.batch, .batch): return .value(1)
        default: return .unknown
        }
    }
}

/// Helpers over symbolic shapes.
enum SymbolicShape {
    static func known(_ dims: [Int]) -> [Dim] { dims.map { .value($0) } }

    /// All values, or nil when one depends on the batch size.
    static func values(_ dims: [Dim]) -> [Int]? {
        var out = [Int]()
        out.reserveCapacity(dims.count)
        for d in dims {
            guard let v = d.known else { return nil }
            out.append(v)
        }
        return out
    }

    static func format(_ dims: [Dim]) -> String {
        "[" + dims.map(\.description).joined(separator: ", ") + "]"
    }

    /// Resolves a possibly negative axis against `rank`; nil when out of range.
    static func axis(_ axis: Int, rank: Int) -> Int? {
        let a = axis < 0 ? axis + rank : axis
        return (0..<rank).contains(a) ? a : nil
    }
}

/// The engine's shape rules (`Op.outputShape`) run on symbolic shapes through this.
extension Dim: ShapeDimension {
    /// Only `.unknown` may stand for any size; `.batch` is a definite (run-time) size.
    var isUnconstrained: Bool { self == .unknown }

    func mapSize(_ f: (Int) throws -> Int) rethrows -> Dim {
        guard case let .value(v) = self else { return .unknown }
        return .value(try f(v))
    }

    /// Product of dimensions: `.batch` when exactly one factor is the batch and the rest
    /// multiply to 1, `.unknown` for other batch-dependent products, nil on overflow.
    static func product<S: Sequence>(_ dims: S) -> Dim? where S.Element == Dim {
        var n = 1
        var batches = 0
        var unknown = false
        for d in dims {
            switch d {
            case let .value(v):
                let (p, overflow) = n.multipliedReportingOverflow(by: v)
                if overflow || v < 0 { return nil }
                n = p
            case .batch: batches += 1
            case .unknown: unknown = true
            }
        }
        if n == 0 { return .value(0) }
        if unknown || batches > 1 { return .unknown }
        if batches == 1 { return n == 1 ? .batch : .unknown }
        return .value(n)
    }
}
