import XAICore
import XAIEngine

/// Folding of operators whose inputs are all known at load time. Errors are returned as
/// `ShapeProblem` messages that the importer wraps with the op, node and file.
extension ConstTensor {
    /// Elementwise Add/Sub/Mul/Div with numpy broadcasting. Integer tensors use the
    /// symbolic `Dim` arithmetic so that `batch * 1` stays the batch size.
    static func binary(_ a: ConstTensor, _ b: ConstTensor, _ op: String) throws -> ConstTensor {
        guard let shape = Int.broadcast(a.shape, b.shape) else {
            throw ShapeProblem("shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        guard let n = Shape.elementCount(shape, limit: max(foldLimit, a.count, b.count)) else {
            throw ShapeProblem("broadcasting \(a.shape) with \(b.shape) is too large to fold")
        }
        // Index lists only when shapes differ and neither side is a scalar.
        func indices(_ t: ConstTensor) -> [Int]? {
            t.shape == shape || t.count == 1 ? nil : t.broadcastIndices(to: shape)
        }
        let ia = indices(a), ib = indices(b)
        @inline(__always) func at(_ idx: [Int]?, _ t: Int, _ i: Int) -> Int { idx?[i] ?? (t == 1 ? 0 : i) }

        if case let .int(x) = a.elements, case let .int(y) = b.elements {
            var out = [Dim]()
            out.reserveCapacity(n)
            for i in 0..<n {
                let p = x[at(ia, x.count, i)], q = y[at(ib, y.count, i)]
                switch op {
                case "Add": out.append(p + q)
                case "Sub": out.append(p - q)
                case "Mul": out.append(p * q)
                default:
                    guard let r = Dim.divide(p, q) else { throw ShapeProblem("integer division by zero") }
                    out.append(r)
                }
            }
            return ConstTensor(dims: out, shape: shape)
        }
        guard let x = a.floats, let y = b.floats else {
            throw ShapeProblem("cannot mix a batch-dependent integer tensor with floats")
        }
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let p = x[at(ia, x.count, i)], q = y[at(ib, y.count, i)]
            switch op {
            case "Add": out[i] = p + q
            case "Sub": out[i] = p - q
            case "Mul": out[i] = p * q
            default: out[i] = p / q
            }
        }
        return ConstTensor(floats: out, shape: shape)
    }

    /// ONNX Gather along `axis` with (possibly negative) integer indices.
    func gather(_ indices: ConstTensor, axis: Int) throws -> ConstTensor {
        guard let ax = SymbolicShape.axis(axis, rank: shape.count) else {
            throw ShapeProblem("axis \(axis) is out of range for shape \(shape)")
        }
        guard let idx = indices.ints else { throw ShapeProblem("indices must be known integers") }
        let d = shape[ax]
        let resolved = try idx.map { i -> Int in
            let j = i < 0 ? i + d : i
            guard (0..<d).contains(j) else { throw ShapeProblem("index \(i) is out of range for dimension \(d)") }
            return j
        }
        let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
        let newShape = Array(shape[..<ax]) + indices.shape + Array(shape[(ax + 1)...])
        guard Shape.elementCount(newShape, limit: max(ConstTensor.foldLimit, count)) != nil else {
            throw ShapeProblem("gather result \(newShape) is too large to fold")
        }
        var flat = [Int]()
        flat.reserveCapacity(outer * resolved.count * inner)
        for o in 0..<outer {
            for j in resolved {
                let base = (o * d + j) * inner
                for k in 0..<inner { flat.append(base + k) }
            }
        }
        return taking(flat, shape: newShape)
    }

    /// ONNX Slice with clamped starts/ends and non-zero steps.
    func slice(starts: [Int], ends: [Int], axes: [Int], steps: [Int]) throws -> ConstTensor {
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw ShapeProblem("starts, ends, axes and steps differ in length")
        }
        var begin = [Int](repeating: 0, count: shape.count)
        var step = [Int](repeating: 1, count: shape.count)
        var newShape = shape
        var seen = Set<Int>()
        for k in 0..<axes.count {
            guard let ax = SymbolicShape.axis(axes[k], rank: shape.count), seen.insert(ax).inserted else {
                throw ShapeProblem("slice axis \(axes[k]) is out of range or repeated for shape \(shape)")
            }
            let d = shape[ax]
            guard steps[k] != 0 else { throw ShapeProblem("slice step is 0") }
            let st = max(min(steps[k], 1 << 40), -(1 << 40))
            func clampIndex(_ v: Int) -> Int {
                var x = v
                if x < 0 { x = x &+ d }
                return st > 0 ? min(max(x, 0), d) : min(max(x, -1), d - 1)
            }
            let s = clampIndex(starts[k]), e = clampIndex(ends[k])
            let n = st > 0 ? max(0, (e - s + st - 1) / st) : max(0, (s - e + (-st) - 1) / (-st))
            begin[ax] = s
            step[ax] = st
            newShape[ax] = n
        }
        let strides = Shape.strides(shape)
        let idx = ConstTensor.indices(over: newShape) { i in
            var f = 0
            for a in 0..<i.count { f += (begin[a] + i[a] * step[a]) * strides[a] }
            return f
        }
        return taking(idx, shape: newShape)
    }

    /// Concatenation along `axis`; integer and float parts are combined as floats.
    static func concat(_ parts: [ConstTensor], axis: Int) throws -> ConstTensor {
        guard let first = parts.first else { throw ShapeProblem("Concat has no inputs") }
        guard let ax = SymbolicShape.axis(axis, rank: first.shape.count) else {
            throw ShapeProblem("axis \(axis) is out of range for shape \(first.shape)")
        }
        var newShape = first.shape
        newShape[ax] = 0
        for p in parts {
            guard p.shape.count == first.shape.count,
                  (0..<p.shape.count).allSatisfy({ $0 == ax || p.shape[$0] == first.shape[$0] }) else {
                throw ShapeProblem("Concat inputs \(parts.map(\.shape)) do not fit along axis \(axis)")
            }
            newShape[ax] += p.shape[ax]
        }
        let outer = first.shape[..<ax].reduce(1, *)
        let allInt = parts.allSatisfy { !$0.isFloat }
        if allInt {
            var out = [Dim]()
            for o in 0..<outer {
                for p in parts {
                    guard case let .int(d) = p.elements else { continue }
                    let chunk = p.shape[ax...].reduce(1, *)
                    out.append(contentsOf: d[(o * chunk)..<((o + 1) * chunk)])
                }
            }
            return ConstTensor(dims: out, shape: newShape)
        }
        var out = [Float]()
        for o in 0..<outer {
            for p in parts {
                guard let f = p.floats else { throw ShapeProblem("cannot mix a batch-dependent integer tensor with floats") }
                let chunk = p.shape[ax...].reduce(1, *)
                out.append(contentsOf: f[(o * chunk)..<((o + 1) * chunk)])
            }
        }
        return ConstTensor(floats: out, shape: newShape)
    }
}
