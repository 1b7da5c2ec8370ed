import XAIEngine

/// A shape rule was violated; the importer wraps the message with op, node and file.
struct ShapeProblem: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Output shapes of the graph IR's operators over symbolic shapes (batch left open).
/// The importer needs them to fold `Shape` nodes, resolve auto_pad and rewrite
/// Squeeze/Unsqueeze on run-time tensors; the engine computes its own shapes at run time.
enum ShapeInference {
    static func output(of op: Op, inputs: [[Dim]]) throws -> [Dim] {
        guard let x = inputs.first else { throw ShapeProblem("the node has no inputs") }
        switch op {
        case let .conv(c):
            guard inputs.count >= 2 else { throw ShapeProblem("Conv needs a weight input") }
            return try conv(x, inputs[1], c)
        case let .maxPool(p), let .averagePool(p):
            try requireRank(x, 4, "pooling")
            return [x[0], x[1],
                    try pooled(x[2], p.kernel.h, p.stride.h, p.pads.top, p.pads.bottom, p.ceilMode),
                    try pooled(x[3], p.kernel.w, p.stride.w, p.pads.left, p.pads.right, p.ceilMode)]
        case .batchNorm, .relu, .clip, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .tanh,
             .identity, .lrn:
            return x
        case let .softmax(axis):
            guard SymbolicShape.axis(axis, rank: x.count) != nil else {
                throw ShapeProblem("softmax axis \(axis) is out of range for shape \(SymbolicShape.format(x))")
            }
            return x
        case .add, .sub, .mul, .div:
            guard inputs.count == 2 else { throw ShapeProblem("binary operator needs two inputs") }
            guard let s = SymbolicShape.broadcast(x, inputs[1]) else {
                throw ShapeProblem("shapes \(SymbolicShape.format(x)) and \(SymbolicShape.format(inputs[1])) do not broadcast")
            }
            return s
        case .globalAveragePool:
            guard x.count >= 3 else { throw ShapeProblem("GlobalAveragePool needs a rank >= 3 input, got \(SymbolicShape.format(x))") }
            return [x[0], x[1]] + Array(repeating: .value(1), count: x.count - 2)
        case let .flatten(axis):
            guard axis >= 0, axis <= x.count else { throw ShapeProblem("flatten axis \(axis) is out of range for \(SymbolicShape.format(x))") }
            guard let a = SymbolicShape.product(x[..<axis]), let b = SymbolicShape.product(x[axis...]) else {
                throw ShapeProblem("flattening \(SymbolicShape.format(x)) overflows")
            }
            return [a, b]
        case let .reshape(shape):
            return try reshape(x, shape)
        case let .transpose(perm):
            guard perm.count == x.count, Set(perm) == Set(0..<x.count) else {
                throw ShapeProblem("perm \(perm) is not a permutation of the axes of \(SymbolicShape.format(x))")
            }
            return perm.map { x[$0] }
        case let .gemm(_, _, transA, transB):
            guard inputs.count >= 2, x.count == 2, inputs[1].count == 2 else {
                throw ShapeProblem("Gemm needs 2-D operands, got \(inputs.map(SymbolicShape.format))")
            }
            let a = transA ? [x[1], x[0]] : x
            let b = transB ? [inputs[1][1], inputs[1][0]] : inputs[1]
            try requireEqual(a[1], b[0], "Gemm inner dimensions")
            let out = [a[0], b[1]]
            if inputs.count > 2 {
                guard inputs[2].count <= 2, let s = SymbolicShape.broadcast(out, inputs[2]), s == out else {
                    throw ShapeProblem("Gemm bias C \(SymbolicShape.format(inputs[2])) does not broadcast to \(SymbolicShape.format(out))")
                }
            }
            return out
        case .matMul:
            guard inputs.count == 2 else { throw ShapeProblem("MatMul needs two inputs") }
            return try matMul(x, inputs[1])
        case let .concat(axis):
            guard let ax = SymbolicShape.axis(axis, rank: x.count) else { throw ShapeProblem("concat axis \(axis) out of range") }
            var out = x
            var total: Dim = x[ax]
            for s in inputs.dropFirst() {
                guard s.count == x.count else { throw ShapeProblem("concat inputs differ in rank: \(inputs.map(SymbolicShape.format))") }
                for k in 0..<x.count where k != ax {
                    try requireEqual(out[k], s[k], "concat dimension \(k)")
                    if out[k] == .unknown { out[k] = s[k] }
                }
                total = total + s[ax]
            }
            out[ax] = total
            return out
        case let .pad(pads, _):
            guard pads.count == 2 * x.count else { throw ShapeProblem("pads \(pads) do not match rank \(x.count)") }
            return try x.enumerated().map { k, d in
                let r = d + .value(pads[k]) + .value(pads[k + x.count])
                if let v = r.known, v < 0 { throw ShapeProblem("padding makes dimension \(k) negative") }
                return r
            }
        case let .reduceMean(axes, keepDims):
            var out = [Dim]()
            for k in 0..<x.count {
                if axes.contains(k) {
                    if keepDims { out.append(.value(1)) }
                } else {
                    out.append(x[k])
                }
            }
            return out
        }
    }

    private static func requireRank(_ x: [Dim], _ rank: Int, _ what: String) throws {
        guard x.count == rank else { throw ShapeProblem("\(what) needs a rank-\(rank) input, got \(SymbolicShape.format(x))") }
    }

    private static func requireEqual(_ a: Dim, _ b: Dim, _ what: String) throws {
        if let x = a.known, let y = b.known, x != y { throw ShapeProblem("\(what) disagree: \(x) vs \(y)") }
    }

    private static func conv(_ x: [Dim], _ w: [Dim], _ c: Conv2D) throws -> [Dim] {
        try requireRank(x, 4, "Conv")
        try requireRank(w, 4, "Conv weight")
        guard c.groups >= 1 else { throw ShapeProblem("group must be >= 1") }
        if let cin = x[1].known, let cw = w[1].known, cin != cw * c.groups {
            throw ShapeProblem("input has \(cin) channels but the weight expects \(cw) x group \(c.groups)")
        }
        if let m = w[0].known, m % c.groups != 0 {
            throw ShapeProblem("\(m) output channels are not divisible by group \(c.groups)")
        }
        if let kh = w[2].known, let kw = w[3].known, kh != c.kernel.h || kw != c.kernel.w {
            throw ShapeProblem("kernel_shape \([c.kernel.h, c.kernel.w]) disagrees with the weight shape \(SymbolicShape.format(w))")
        }
        let kh = (c.kernel.h - 1) * c.dilation.h + 1
        let kw = (c.kernel.w - 1) * c.dilation.w + 1
        return [x[0], w[0],
                try pooled(x[2], kh, c.stride.h, c.pads.top, c.pads.bottom, false),
                try pooled(x[3], kw, c.stride.w, c.pads.left, c.pads.right, false)]
    }

    /// Sliding-window output size; with ceil mode the last window must start inside the
    /// input or the top/left padding (the PyTorch and ONNX Runtime rule).
    static func pooled(_ size: Dim, _ kernel: Int, _ stride: Int, _ padBegin: Int, _ padEnd: Int,
                       _ ceilMode: Bool) throws -> Dim {
        guard kernel >= 1, stride >= 1, padBegin >= 0, padEnd >= 0 else {
            throw ShapeProblem("kernel \(kernel), stride \(stride) and pads \(padBegin),\(padEnd) must be positive")
        }
        guard let n = size.known else { return .unknown }
        let span = n + padBegin + padEnd - kernel
        guard span >= 0 else {
            throw ShapeProblem("window \(kernel) is larger than the padded input \(n + padBegin + padEnd)")
        }
        var out = span / stride + 1
        if ceilMode {
            out = (span + stride - 1) / stride + 1
            if (out - 1) * stride >= n + padBegin { out -= 1 }
        }
        return .value(out)
    }

    /// ONNX Reshape with allowzero = 0: 0 copies the input dimension, -1 is inferred.
    static func reshape(_ x: [Dim], _ shape: [Int]) throws -> [Dim] {
        var out = [Dim]()
        var inferAt: Int?
        for (k, s) in shape.enumerated() {
            if s == 0 {
                guard k < x.count else { throw ShapeProblem("reshape copies dimension \(k), which the input \(SymbolicShape.format(x)) lacks") }
                out.append(x[k])
            } else if s == -1 {
                guard inferAt == nil else { throw ShapeProblem("reshape shape \(shape) has more than one -1") }
                inferAt = k
                out.append(.value(1))
            } else if s > 0 {
                out.append(.value(s))
            } else {
                throw ShapeProblem("reshape shape \(shape) has a negative entry")
            }
        }
        guard let total = SymbolicShape.product(x), let given = SymbolicShape.product(out) else {
            throw ShapeProblem("reshape of \(SymbolicShape.format(x)) to \(shape) overflows")
        }
        if let k = inferAt {
            guard let q = Dim.divide(total, given) else {
                throw ShapeProblem("cannot infer -1 in \(shape) from \(SymbolicShape.format(x))")
            }
            if let t = total.known, let g = given.known, t % g != 0 {
                throw ShapeProblem("\(SymbolicShape.format(x)) (\(t) elements) cannot be reshaped to \(shape)")
            }
            out[k] = q
        } else if let t = total.known, let g = given.known, t != g {
            throw ShapeProblem("\(SymbolicShape.format(x)) (\(t) elements) cannot be reshaped to \(shape)")
        }
        return out
    }

    private static func matMul(_ a0: [Dim], _ b0: [Dim]) throws -> [Dim] {
        guard !a0.isEmpty, !b0.isEmpty else { throw ShapeProblem("MatMul of a scalar") }
        let a = a0.count == 1 ? [.value(1)] + a0 : a0
        let b = b0.count == 1 ? b0 + [.value(1)] : b0
        try requireEqual(a[a.count - 1], b[b.count - 2], "MatMul inner dimensions")
        guard let batch = SymbolicShape.broadcast(Array(a.dropLast(2)), Array(b.dropLast(2))) else {
            throw ShapeProblem("MatMul batch dimensions of \(SymbolicShape.format(a0)) and \(SymbolicShape.format(b0)) do not broadcast")
        }
        var out = batch
        if a0.count > 1 { out.append(a[a.count - 2]) }
        if b0.count > 1 { out.append(b[b.count - 1]) }
        return out
    }
}
