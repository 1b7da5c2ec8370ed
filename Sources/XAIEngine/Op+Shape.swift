import XAICore

/// A shape or attribute problem found while checking one node; the engine wraps it into an
/// `EngineError` naming the node and the model file.
struct ShapeIssue: Error {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}

extension Op {
    /// The ONNX operator name, for messages and `xai layers`.
    public var onnxName: String {
        switch self {
        case .conv: return "Conv"
        case .batchNorm: return "BatchNormalization"
        case .relu: return "Relu"
        case .clip: return "Clip"
        case .leakyRelu: return "LeakyRelu"
        case .sigmoid: return "Sigmoid"
        case .hardSigmoid: return "HardSigmoid"
        case .hardSwish: return "HardSwish"
        case .tanh: return "Tanh"
        case .softmax: return "Softmax"
        case .add: return "Add"
        case .sub: return "Sub"
        case .mul: return "Mul"
        case .div: return "Div"
        case .maxPool: return "MaxPool"
        case .averagePool: return "AveragePool"
        case .globalAveragePool: return "GlobalAveragePool"
        case .flatten: return "Flatten"
        case .reshape: return "Reshape"
        case .transpose: return "Transpose"
        case .gemm: return "Gemm"
        case .matMul: return "MatMul"
        case .concat: return "Concat"
        case .pad: return "Pad"
        case .identity: return "Identity"
        case .reduceMean: return "ReduceMean"
        case .lrn: return "LRN"
        }
    }

    /// Allowed number of inputs.
    var arity: ClosedRange<Int> {
        switch self {
        case .conv: return 2...3
        case .batchNorm: return 5...5
        case .add, .sub, .mul, .div, .matMul: return 2...2
        case .gemm: return 2...3
        case .concat: return 1...Int.max
        default: return 1...1
        }
    }

    /// The same op with axes made non-negative and defaults filled in, for an input of `rank`.
    func canonical(rank: Int) throws -> Op {
        func axis(_ a: Int, _ r: Int, _ what: String) throws -> Int {
            let v = a < 0 ? a + r : a
            guard v >= 0, v < r else { throw ShapeIssue("\(what) \(a) is out of range for rank \(rank)") }
            return v
        }
        switch self {
        case let .softmax(a):
            let v = try axis(a, rank, "axis")
            guard v != 0 else { throw ShapeIssue("softmax over axis 0 would mix the items of a batch") }
            return .softmax(axis: v)
        case let .flatten(a):
            let v = a < 0 ? a + rank : a
            guard v >= 0, v <= rank else { throw ShapeIssue("axis \(a) is out of range for rank \(rank)") }
            return .flatten(axis: v)
        case let .concat(a):
            return .concat(axis: try axis(a, rank, "axis"))
        case let .transpose(perm):
            return .transpose(perm: perm.isEmpty ? Array((0..<rank).reversed()) : try perm.map { try axis($0, rank, "perm entry") })
        case let .reduceMean(axes, keep):
            let v = axes.isEmpty ? Array(0..<rank) : try axes.map { try axis($0, rank, "axis") }
            guard Set(v).count == v.count else { throw ShapeIssue("repeated axis in \(axes)") }
            return .reduceMean(axes: v.sorted(), keepDims: keep)
        default:
            return self
        }
    }

    /// Output shape for input shapes `x` (full shapes, batch first for computed tensors).
    /// Throws a `ShapeIssue` describing the first inconsistency.
    func outputShape(_ x: [[Int]]) throws -> [Int] {
        guard arity.contains(x.count) else {
            throw ShapeIssue("expects \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) or more") inputs, got \(x.count)")
        }
        let s = x[0]
        switch self {
        case let .conv(a):
            let w = x[1]
            guard s.count == 4 else { throw ShapeIssue("input must be [N, C, H, W], got \(s)") }
            guard w.count == 4 else { throw ShapeIssue("weight must be [M, C/group, kH, kW], got \(w)") }
            guard a.groups >= 1, w[0] % a.groups == 0, s[1] == w[1] * a.groups else {
                throw ShapeIssue("input channels \(s[1]) do not match weight \(w) with group=\(a.groups)")
            }
            guard a.kernel == (w[2], w[3]) else {
                throw ShapeIssue("kernel_shape \([a.kernel.h, a.kernel.w]) does not match weight \(w)")
            }
            guard a.stride.h > 0, a.stride.w > 0, a.dilation.h > 0, a.dilation.w > 0 else {
                throw ShapeIssue("strides and dilations must be positive")
            }
            guard min(a.pads.top, a.pads.left, a.pads.bottom, a.pads.right) >= 0 else { throw ShapeIssue("negative pads") }
            if x.count == 3, x[2] != [w[0]] { throw ShapeIssue("bias must be [\(w[0])], got \(x[2])") }
            guard let o = ConvPlan.outputSize(a, h: s[2], w: s[3]) else {
                throw ShapeIssue("kernel \(w[2])x\(w[3]) (dilated) does not fit the padded input \(s)")
            }
            return [s[0], w[0], o.h, o.w]
        case .batchNorm:
            guard s.count >= 2 else { throw ShapeIssue("input must have a channel axis, got \(s)") }
            for p in x.dropFirst() where p != [s[1]] {
                throw ShapeIssue("scale, bias, mean and variance must be [\(s[1])], got \(p)")
            }
            return s
        case .relu, .clip, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .tanh, .identity:
            return s
        case let .softmax(a):
            guard a >= 0, a < s.count else { throw ShapeIssue("axis \(a) out of range for \(s)") }
            return s
        case .add, .sub, .mul, .div:
            guard let out = Broadcast.shape(s, x[1]) else {
                throw ShapeIssue("shapes \(s) and \(x[1]) cannot be broadcast together")
            }
            return out
        case let .maxPool(p), let .averagePool(p):
            guard s.count == 4 else { throw ShapeIssue("input must be [N, C, H, W], got \(s)") }
            guard p.kernel.h > 0, p.kernel.w > 0, p.stride.h > 0, p.stride.w > 0 else {
                throw ShapeIssue("kernel and strides must be positive")
            }
            let pads = [p.pads.top, p.pads.left, p.pads.bottom, p.pads.right]
            guard pads.allSatisfy({ $0 >= 0 }), p.pads.top < p.kernel.h, p.pads.bottom < p.kernel.h,
                  p.pads.left < p.kernel.w, p.pads.right < p.kernel.w else {
                throw ShapeIssue("pads \(pads) must be non-negative and smaller than the kernel")
            }
            guard let o = Pooling.outputSize(p, h: s[2], w: s[3]) else {
                throw ShapeIssue("kernel \(p.kernel.h)x\(p.kernel.w) does not fit the padded input \(s)")
            }
            return [s[0], s[1], o.h, o.w]
        case .globalAveragePool:
            guard s.count >= 3 else { throw ShapeIssue("input must be [N, C, spatial...], got \(s)") }
            return [s[0], s[1]] + [Int](repeating: 1, count: s.count - 2)
        case let .flatten(a):
            guard a >= 0, a <= s.count else { throw ShapeIssue("axis \(a) out of range for \(s)") }
            return [s.prefix(a).reduce(1, *), s.dropFirst(a).reduce(1, *)]
        case let .reshape(target):
            return try Op.reshapeShape(s, target)
        case let .transpose(perm):
            guard let out = Layout.transposeShape(s, perm: perm) else {
                throw ShapeIssue("perm \(perm) is not a permutation of the axes of \(s)")
            }
            return out
        case let .gemm(_, _, ta, tb):
            guard let out = MatrixKernels.gemmShape(s, x[1], x.count == 3 ? x[2] : nil, transA: ta, transB: tb) else {
                throw ShapeIssue("shapes A \(s), B \(x[1])\(x.count == 3 ? ", C \(x[2])" : "") do not fit (transA=\(ta), transB=\(tb))")
            }
            return out
        case .matMul:
            guard let g = MatrixKernels.matMulGeometry(s, x[1]) else {
                throw ShapeIssue("shapes \(s) and \(x[1]) cannot be multiplied")
            }
            return g.outShape
        case let .concat(a):
            guard let out = Layout.concatShape(x, axis: a) else {
                throw ShapeIssue("shapes \(x) differ outside axis \(a)")
            }
            return out
        case let .pad(pads, _):
            guard let out = Layout.padShape(s, pads: pads) else {
                throw ShapeIssue("pads \(pads) do not fit input \(s) (need \(2 * s.count) values)")
            }
            return out
        case let .reduceMean(axes, keep):
            guard axes.allSatisfy({ $0 >= 0 && $0 < s.count }) else { throw ShapeIssue("axes \(axes) out of range for \(s)") }
            return Normalization.reduceMeanShape(s, axes: axes, keepDims: keep)
        case let .lrn(size, _, _, _):
            guard s.count >= 2, size >= 1 else { throw ShapeIssue("needs [N, C, ...] input and size >= 1, got \(s), size \(size)") }
            return s
        }
    }

    /// ONNX Reshape: 0 copies the input dimension at the same index, one -1 is inferred.
    static func reshapeShape(_ s: [Int], _ target: [Int]) throws -> [Int] {
        var out = [Int]()
        var infer: Int? = nil
        for (i, d) in target.enumerated() {
            switch d {
            case 0:
                guard i < s.count else { throw ShapeIssue("0 at index \(i) but the input \(s) has rank \(s.count)") }
                out.append(s[i])
            case -1:
                guard infer == nil else { throw ShapeIssue("more than one -1 in \(target)") }
                infer = i
                out.append(1)
            case let v where v > 0:
                out.append(v)
            default:
                throw ShapeIssue("invalid dimension \(d) in \(target)")
            }
        }
        let total = s.reduce(1, *)
        let known = out.reduce(1, *)
        if let i = infer {
            guard known > 0, total % known == 0 else { throw ShapeIssue("cannot reshape \(s) to \(target)") }
            out[i] = total / known
        }
        guard out.reduce(1, *) == total else { throw ShapeIssue("cannot reshape \(s) (\(total) values) to \(target)") }
        return out
    }
}
