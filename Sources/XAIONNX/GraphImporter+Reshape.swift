import XAIEngine

/// Operators that reshape or reorder data. On load-time constants they are folded; on
/// run-time tensors they become graph-IR reshape, flatten, transpose or concat nodes.
extension GraphImporter {
    func squeezeOrUnsqueeze(_ ctx: NodeContext) throws {
        let x = try data(ctx)
        let inShape = try shape(x, ctx)
        var axes: [Int]?
        if ctx.opset < 13 {
            try ctx.allowOnly(["axes"])
            axes = try ctx.ints("axes")
        } else {
            try ctx.allowOnly([])
            if ctx.input(1) != nil {
                guard let a = try requireConstant(1, ctx, "axes").ints else { throw ctx.invalid("axes", "must be known integers") }
                axes = a
            }
        }
        var out: [Dim]
        if ctx.op == "Unsqueeze" {
            guard let a = axes else { throw ctx.invalid("axes", "Unsqueeze needs axes") }
            let rank = inShape.count + a.count
            let resolved = try a.map { ax -> Int in
                guard let r = SymbolicShape.axis(ax, rank: rank) else { throw ctx.invalid("axes", "axis \(ax) out of range") }
                return r
            }
            guard Set(resolved).count == resolved.count else { throw ctx.invalid("axes", "repeated axis") }
            var rest = inShape.makeIterator()
            out = (0..<rank).map { k in resolved.contains(k) ? .value(1) : (rest.next() ?? .value(1)) }
        } else {
            let resolved = try (axes ?? inShape.indices.filter { inShape[$0] == .value(1) }).map { ax -> Int in
                guard let r = SymbolicShape.axis(ax, rank: inShape.count) else { throw ctx.invalid("axes", "axis \(ax) out of range") }
                guard inShape[r] == .value(1) || inShape[r] == .unknown else {
                    throw ctx.shapeError("cannot squeeze axis \(ax) of size \(inShape[r])")
                }
                return r
            }
            out = inShape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        }
        switch try value(x, ctx) {
        case let .constant(c):
            define(ctx, c.reshaped(out.map { $0.known ?? 1 }))
        case .runtime:
            try emitReshape(ctx, x, from: inShape, to: out)
        }
    }

    func concat(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["axis"])
        guard let axis = try ctx.int("axis") else { throw ctx.invalid("axis", "Concat needs an axis") }
        let names = ctx.inputs.filter { !$0.isEmpty }
        var parts = [ConstTensor]()
        for n in names {
            if case let .constant(c) = try value(n, ctx) { parts.append(c) }
        }
        if parts.count == names.count {
            define(ctx, try folding(ctx) { try ConstTensor.concat(parts, axis: axis) })
            return
        }
        let rank = try shape(names[0], ctx).count
        guard let ax = SymbolicShape.axis(axis, rank: rank) else { throw ctx.invalid("axis", "\(axis) is out of range") }
        try emit(ctx, .concat(axis: ax), inputs: names, output: ctx.outputs[0])
    }

    func reshape(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["allowzero"])
        let x = try data(ctx)
        guard let target = try requireConstant(1, ctx, "shape").dims else {
            throw ctx.invalid("shape", "must be integers")
        }
        let allowZero = try ctx.int("allowzero", default: 0) != 0
        if allowZero, target.contains(.value(0)) {
            throw ctx.unsupported("allowzero", "reshaping to a zero-sized dimension is not supported")
        }
        switch try value(x, ctx) {
        case let .constant(c):
            guard let t = SymbolicShape.values(target) else { throw ctx.shapeError("a constant cannot take a batch-dependent shape") }
            let s = try folding(ctx) { try ShapeInference.output(of: .reshape(shape: t), inputs: [SymbolicShape.known(c.shape)]) }
            define(ctx, c.reshaped(s.map { $0.known ?? 0 }))
        case let .runtime(inShape):
            if target == [.value(-1)], inShape.first == .batch, let item = SymbolicShape.values(Array(inShape.dropFirst())),
               onlyGathersRead(ctx.outputs[0]) {
                itemFlattened.insert(ctx.outputs[0])
                try emit(ctx, .reshape(shape: [0, item.reduce(1, *)]), inputs: [x], output: ctx.outputs[0])
                return
            }
            try emitReshape(ctx, x, from: inShape, target: target)
        }
    }

    /// Whether every node reading `name` is a Gather, and no graph output is `name`.
    private func onlyGathersRead(_ name: String) -> Bool {
        !graph.output.contains { $0.name == name }
            && graph.node.allSatisfy { !$0.input.contains(name) || $0.opType == "Gather" }
    }

    /// Gather of a run-time tensor: only the identity view PyTorch writes for `as_strided` on
    /// a batch of 1 (ConvNeXt's pooling): the whole tensor flattened, then gathered back with
    /// indices 0, 1, ... shaped [1, ...]. Per item that is a reshape to the indices' shape.
    func gatherView(_ ctx: NodeContext, _ x: String) throws {
        let idx = try requireConstant(1, ctx, "indices")
        guard itemFlattened.contains(x), try ctx.int("axis", default: 0) == 0, let values = idx.ints,
              idx.shape.first == 1, case let .runtime(s) = try value(x, ctx), s.count == 2, let count = s[1].known,
              values == Array(0..<count) else {
            throw ctx.unsupported("input", "Gather on a tensor computed from the image is only supported as the "
                + "identity view of a flattened batch of 1 (PyTorch's as_strided); '\(x)' is not one")
        }
        try emit(ctx, .reshape(shape: [0] + idx.shape.dropFirst()), inputs: [x], output: ctx.outputs[0])
    }

    /// Emits a graph-IR reshape of a run-time tensor to a symbolic `target` in ONNX form
    /// (0 = copy, -1 = infer). The batch size becomes "copy dimension 0" when it stays in
    /// place, and a literal 1 in place of the batch (a graph exported with a fixed batch of
    /// 1) is read the same way so that batched runs keep one row per item.
    func emitReshape(_ ctx: NodeContext, _ x: String, from inShape: [Dim], target: [Dim],
                     literalBatchOne: Bool = true) throws {
        var shape = [Int]()
        var open = target.contains(.value(-1)) ? 1 : 0
        for (k, e) in target.enumerated() {
            switch e {
            case let .value(v):
                if literalBatchOne, k == 0, v == 1, inShape.first == .batch { shape.append(0) } else { shape.append(v) }
            case .batch where k < inShape.count && inShape[k] == .batch:
                shape.append(0)
            case .batch, .unknown:
                open += 1
                shape.append(-1)
            }
        }
        guard open <= 1 else {
            throw ctx.unsupported("shape", "target shape \(SymbolicShape.format(target)) has more than one dimension "
                + "that depends on the batch size")
        }
        try emit(ctx, .reshape(shape: shape), inputs: [x], output: ctx.outputs[0])
    }

    /// Reshape of a run-time tensor to a shape computed by the importer (Squeeze/Unsqueeze).
    func emitReshape(_ ctx: NodeContext, _ x: String, from inShape: [Dim], to out: [Dim]) throws {
        let target = out.enumerated().map { k, d -> Dim in
            if d == .batch, k < inShape.count, inShape[k] == .batch { return .batch }
            return d == .batch ? .unknown : d
        }
        try emitReshape(ctx, x, from: inShape, target: target, literalBatchOne: false)
    }

    func flatten(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["axis"])
        let x = try data(ctx)
        let s = try shape(x, ctx)
        let axis = try ctx.int("axis", default: 1)
        let ax = axis < 0 ? axis + s.count : axis
        guard ax >= 0, ax <= s.count else { throw ctx.invalid("axis", "\(axis) is out of range for rank \(s.count)") }
        switch try value(x, ctx) {
        case let .constant(c):
            let a = c.shape[..<ax].reduce(1, *)
            define(ctx, c.reshaped([a, c.count / max(a, 1)]))
        case .runtime:
            try emit(ctx, .flatten(axis: ax), inputs: [x], output: ctx.outputs[0])
        }
    }

    func transpose(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["perm"])
        let x = try data(ctx)
        let rank = try shape(x, ctx).count
        let perm = try ctx.ints("perm") ?? Array((0..<rank).reversed())
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            throw ctx.invalid("perm", "\(perm) is not a permutation of \(rank) axes")
        }
        switch try value(x, ctx) {
        case let .constant(c): define(ctx, c.transposed(perm))
        case .runtime: try emit(ctx, .transpose(perm: perm), inputs: [x], output: ctx.outputs[0])
        }
    }

    /// Split of a run-time tensor along a non-batch axis (ShuffleNet's channel split): each
    /// output is the input cropped by negative pads. Sizes come from the `split` input (opset
    /// 13 on) or attribute (before), else equal parts: `num_outputs` (opset 18) or one per
    /// output, the last part smaller when the axis does not divide evenly.
    func split(_ ctx: NodeContext) throws {
        try ctx.allowOnly(ctx.opset < 13 ? ["axis", "split"] : ["axis", "num_outputs"])
        let x = try data(ctx)
        guard try isRuntime(x, ctx) else {
            throw ctx.unsupported("input", "Split is only supported on tensors computed from the image")
        }
        let s = try shape(x, ctx)
        let axis = try ctx.int("axis", default: 0)
        guard let ax = SymbolicShape.axis(axis, rank: s.count), ax >= 1, let length = s[ax].known else {
            throw ctx.invalid("axis", "\(axis) must be a non-batch axis of known size of \(SymbolicShape.format(s))")
        }
        let given = ctx.opset < 13 ? try ctx.ints("split")
            : try ctx.input(1).map { _ in
                guard let v = try requireConstant(1, ctx, "split").ints else { throw ctx.invalid("split", "must be known integers") }
                return v
            }
        var sizes: [Int]
        if let given {
            sizes = given
        } else {
            let parts = try ctx.int("num_outputs") ?? ctx.outputs.count
            guard parts >= 1, parts <= length else { throw ctx.invalid("num_outputs", "\(parts) parts of \(length)") }
            let each = (length + parts - 1) / parts
            sizes = (0..<parts).map { k in min(each, max(0, length - k * each)) }
        }
        guard sizes.count == ctx.outputs.count, sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == length else {
            throw ctx.invalid("split", "sizes \(sizes) do not split \(length) values into \(ctx.outputs.count) outputs")
        }
        var start = 0
        for (k, size) in sizes.enumerated() {
            defer { start += size }
            let out = ctx.outputs[k]
            guard !out.isEmpty else { continue }
            var pads = [Int](repeating: 0, count: 2 * s.count)
            pads[ax] = -start
            pads[s.count + ax] = -(length - start - size)
            try emit(ctx, .pad(pads: pads, value: 0), inputs: [x], output: out, nodeName: "\(ctx.name)/\(k)")
        }
    }
}
