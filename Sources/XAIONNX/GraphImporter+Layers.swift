import XAIEngine

/// Dense layers, normalisations and the operators whose form changed between opsets.
extension GraphImporter {
    func gemm(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["alpha", "beta", "transA", "transB", "broadcast"])
        var ins = try inputs(ctx, 2)
        if let c = ctx.input(2) { ins.append(c) }
        let op = Op.gemm(alpha: try ctx.float("alpha", default: 1), beta: try ctx.float("beta", default: 1),
                         transA: try ctx.int("transA", default: 0) != 0, transB: try ctx.int("transB", default: 0) != 0)
        try emit(ctx, op, inputs: ins, output: ctx.outputs[0])
    }

    /// Clip: bounds are attributes before opset 11 and optional constant inputs from 11 on;
    /// a missing bound is unbounded.
    func clip(_ ctx: NodeContext) throws {
        var lo = -Float.infinity, hi = Float.infinity
        if ctx.opset < 11 {
            try ctx.allowOnly(["min", "max"])
            lo = try ctx.float("min", default: lo)
            hi = try ctx.float("max", default: hi)
        } else {
            try ctx.allowOnly([])
            for (i, key) in [(1, "min"), (2, "max")] where ctx.input(i) != nil {
                guard let v = try requireConstant(i, ctx, key).scalarFloat else {
                    throw ctx.invalid(key, "must be a single number")
                }
                if i == 1 { lo = v } else { hi = v }
            }
        }
        try emit(ctx, .pointwise(.clip(min: lo, max: hi)), inputs: [try data(ctx)], output: ctx.outputs[0])
    }

    /// Softmax: from opset 13 it normalises along one axis (default -1). Before 13 it
    /// flattens the input at `axis` (default 1) to 2-D and normalises each row, which is the
    /// same thing when `axis` is the last axis and is emitted as flatten, softmax, reshape
    /// otherwise.
    func softmax(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["axis"])
        let x = try data(ctx)
        let s = try shape(x, ctx)
        let axis = try ctx.int("axis", default: ctx.opset < 13 ? 1 : -1)
        guard let ax = SymbolicShape.axis(axis, rank: s.count) else {
            throw ctx.invalid("axis", "\(axis) is out of range for rank \(s.count)")
        }
        if ctx.opset >= 13 || ax == s.count - 1 {
            try emit(ctx, .softmax(axis: ax), inputs: [x], output: ctx.outputs[0])
            return
        }
        let flat = freshName("\(ctx.outputs[0])/flatten")
        let normed = freshName("\(ctx.outputs[0])/softmax")
        try emit(ctx, .flatten(axis: ax), inputs: [x], output: flat, nodeName: "\(ctx.name)/flatten")
        try emit(ctx, .softmax(axis: 1), inputs: [flat], output: normed, nodeName: "\(ctx.name)/softmax")
        let back = s.map { $0 == .batch ? 0 : ($0.known ?? -1) }
        guard back.filter({ $0 == -1 }).count <= 1 else {
            throw ctx.shapeError("cannot restore shape \(SymbolicShape.format(s)) after the softmax")
        }
        try emit(ctx, .reshape(shape: back), inputs: [normed], output: ctx.outputs[0])
    }

    func pad(_ ctx: NodeContext) throws {
        let x = try data(ctx)
        let rank = try shape(x, ctx).count
        let mode: String
        var pads: [Int]
        var fill: Float = 0
        if ctx.opset < 11 {
            try ctx.allowOnly(["mode", "pads", "value"])
            mode = try ctx.string("mode") ?? "constant"
            guard let p = try ctx.ints("pads") else { throw ctx.invalid("pads", "Pad needs pads") }
            pads = p
            fill = try ctx.float("value", default: 0)
        } else {
            try ctx.allowOnly(["mode"])
            mode = try ctx.string("mode") ?? "constant"
            guard let p = try requireConstant(1, ctx, "pads").ints else { throw ctx.invalid("pads", "must be known integers") }
            pads = p
            if ctx.input(2) != nil {
                guard let v = try requireConstant(2, ctx, "constant_value").scalarFloat else {
                    throw ctx.invalid("constant_value", "must be a single number")
                }
                fill = v
            }
            if ctx.input(3) != nil {
                guard let axes = try requireConstant(3, ctx, "axes").ints, pads.count == 2 * axes.count else {
                    throw ctx.invalid("axes", "must be known integers, half as many as pads")
                }
                var full = [Int](repeating: 0, count: 2 * rank)
                for (k, a) in axes.enumerated() {
                    guard let r = SymbolicShape.axis(a, rank: rank) else { throw ctx.invalid("axes", "axis \(a) out of range") }
                    full[r] = pads[k]
                    full[r + rank] = pads[k + axes.count]
                }
                pads = full
            }
        }
        guard mode == "constant" else {
            throw ctx.unsupported("mode", "'\(mode)' padding is not supported, only 'constant'")
        }
        guard pads.count == 2 * rank else { throw ctx.invalid("pads", "\(pads) needs \(2 * rank) entries for rank \(rank)") }
        guard pads.allSatisfy({ $0 >= 0 && $0 < NodeContext.intLimit }) else {
            throw ctx.unsupported("pads", "\(pads): negative (cropping) or huge pads are not supported")
        }
        try emit(ctx, .pad(pads: pads, value: fill), inputs: [x], output: ctx.outputs[0])
    }

    func reduceMean(_ ctx: NodeContext) throws {
        let x = try data(ctx)
        let rank = try shape(x, ctx).count
        var axes: [Int]?
        var noopWhenEmpty = false
        if ctx.opset < 18 {
            try ctx.allowOnly(["axes", "keepdims"])
            axes = try ctx.ints("axes")
        } else {
            try ctx.allowOnly(["keepdims", "noop_with_empty_axes"])
            noopWhenEmpty = try ctx.int("noop_with_empty_axes", default: 0) != 0
            if ctx.input(1) != nil {
                guard let a = try requireConstant(1, ctx, "axes").ints else { throw ctx.invalid("axes", "must be known integers") }
                axes = a
            }
        }
        let keep = try ctx.int("keepdims", default: 1) != 0
        if axes?.isEmpty ?? true, noopWhenEmpty {
            try emit(ctx, .identity, inputs: [x], output: ctx.outputs[0])
            return
        }
        let resolved = try (axes.flatMap { $0.isEmpty ? nil : $0 } ?? Array(0..<rank)).map { a -> Int in
            guard let r = SymbolicShape.axis(a, rank: rank) else { throw ctx.invalid("axes", "axis \(a) out of range for rank \(rank)") }
            return r
        }
        try emit(ctx, .reduceMean(axes: Array(Set(resolved)).sorted(), keepDims: keep), inputs: [x], output: ctx.outputs[0])
    }

    func lrn(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["size", "alpha", "beta", "bias"])
        guard let size = try ctx.int("size"), size >= 1 else { throw ctx.invalid("size", "LRN needs a positive size") }
        let op = Op.lrn(size: size, alpha: try ctx.float("alpha", default: 1e-4), beta: try ctx.float("beta", default: 0.75),
                        bias: try ctx.float("bias", default: 1))
        try emit(ctx, op, inputs: [try data(ctx)], output: ctx.outputs[0])
    }

    /// LayerNormalization (opset 17): scale and bias are weights known at load time; the mean
    /// and inverse-deviation outputs exist for training and must be unused.
    func layerNorm(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["axis", "epsilon", "stash_type"])
        try requireUnusedOutputs(ctx, from: 1)
        let x = try data(ctx)
        let rank = try shape(x, ctx).count
        let axis = try ctx.int("axis", default: -1)
        guard let ax = SymbolicShape.axis(axis, rank: rank), ax >= 1 else {
            throw ctx.invalid("axis", "\(axis) is out of range for rank \(rank), or normalises across the batch")
        }
        var ins = [x]
        for (i, what) in [(1, "scale"), (2, "bias")] where ctx.input(i) != nil {
            _ = try requireConstant(i, ctx, what)
            ins.append(ctx.input(i)!)
        }
        guard ins.count >= 2 else { throw ctx.invalid("scale", "LayerNormalization needs a scale input") }
        try emit(ctx, .layerNorm(axis: ax, epsilon: try ctx.float("epsilon", default: 1e-5)), inputs: ins, output: ctx.outputs[0])
    }
}
