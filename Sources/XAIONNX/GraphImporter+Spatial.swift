import XAIEngine

/// Convolution, pooling and batch normalization: the operators with spatial attributes.
extension GraphImporter {
    func conv(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"])
        let x = try data(ctx)
        guard let w = ctx.input(1) else { throw ctx.invalid("W", "Conv needs a weight input") }
        let wShape = try shape(w, ctx)
        guard wShape.count == 4 else {
            throw ctx.unsupported("kernel_shape", "only 2-D convolutions are supported, this weight has shape "
                + SymbolicShape.format(wShape))
        }
        guard let kh = wShape[2].known, let kw = wShape[3].known else {
            throw ctx.shapeError("the weight's kernel size is not known at load time")
        }
        if let k = try ctx.ints("kernel_shape"), k != [kh, kw] {
            throw ctx.unsupported("kernel_shape", "\(k) (only 2-D kernels matching the weight \(SymbolicShape.format(wShape)))")
        }
        let strides = try pair(ctx, "strides")
        let dilations = try pair(ctx, "dilations")
        let group = try ctx.int("group", default: 1)
        guard group >= 1 else { throw ctx.invalid("group", "must be at least 1, got \(group)") }
        let kernel = (dilations.0 * (kh - 1) + 1, dilations.1 * (kw - 1) + 1)
        let pads = try resolvePads(ctx, input: try shape(x, ctx), kernel: kernel, strides: strides)
        let c = Conv2D(kernel: (kh, kw), stride: strides, dilation: dilations, pads: pads, groups: group)
        var ins = [x, w]
        if let b = ctx.input(2) { ins.append(b) }
        try emit(ctx, .conv(c), inputs: ins, output: ctx.outputs[0])
    }

    func pool(_ ctx: NodeContext) throws {
        let isMax = ctx.op == "MaxPool"
        if isMax {
            try ctx.allowOnly(["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"])
            if try ctx.int("storage_order", default: 0) != 0 {
                throw ctx.unsupported("storage_order", "only row-major storage_order 0 is supported")
            }
            try requireUnusedOutputs(ctx, from: 1)
        } else {
            try ctx.allowOnly(["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"])
        }
        if let d = try ctx.ints("dilations"), d.contains(where: { $0 != 1 }) {
            throw ctx.unsupported("dilations", "\(d): dilated pooling is not supported")
        }
        guard let k = try ctx.ints("kernel_shape") else { throw ctx.invalid("kernel_shape", "\(ctx.op) needs kernel_shape") }
        guard k.count == 2 else {
            throw ctx.unsupported("kernel_shape", "\(k): only 2-D pooling is supported")
        }
        guard k[0] >= 1, k[1] >= 1 else { throw ctx.invalid("kernel_shape", "\(k) must be positive") }
        let x = try data(ctx)
        let strides = try pair(ctx, "strides")
        let pads = try resolvePads(ctx, input: try shape(x, ctx), kernel: (k[0], k[1]), strides: strides)
        let p = Pool2D(kernel: (k[0], k[1]), stride: strides, pads: pads,
                       ceilMode: try ctx.int("ceil_mode", default: 0) != 0,
                       countIncludePad: try ctx.int("count_include_pad", default: 0) != 0)
        try emit(ctx, isMax ? .maxPool(p) : .averagePool(p), inputs: [x], output: ctx.outputs[0])
    }

    func batchNorm(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["epsilon", "momentum", "spatial", "is_test", "training_mode", "consumed_inputs"])
        if try ctx.int("training_mode", default: 0) != 0 {
            throw ctx.unsupported("training_mode", "BatchNormalization in training mode is not supported; export the model in eval mode")
        }
        if try ctx.int("spatial", default: 1) != 1 {
            throw ctx.unsupported("spatial", "only spatial batch normalization (spatial = 1) is supported")
        }
        try requireUnusedOutputs(ctx, from: 1)
        let ins = try inputs(ctx, 5)
        let channels = try shape(ins[0], ctx)
        guard channels.count >= 2 else { throw ctx.shapeError("input must have a channel dimension") }
        for p in ins.dropFirst() {
            let s = try shape(p, ctx)
            guard s.count == 1, s[0] == channels[1] || channels[1].known == nil else {
                throw ctx.shapeError("parameter '\(p)' has shape \(SymbolicShape.format(s)), expected [\(channels[1])]")
            }
        }
        try emit(ctx, .batchNorm(epsilon: try ctx.float("epsilon", default: 1e-5)), inputs: ins, output: ctx.outputs[0])
    }

    /// A two-element attribute such as strides or dilations; 1s when absent.
    private func pair(_ ctx: NodeContext, _ key: String) throws -> (Int, Int) {
        guard let v = try ctx.ints(key) else { return (1, 1) }
        guard v.count == 2 else { throw ctx.unsupported(key, "\(v): only 2-D \(key) are supported") }
        guard v[0] >= 1, v[1] >= 1 else { throw ctx.invalid(key, "\(v) must be positive") }
        return (v[0], v[1])
    }

    /// Explicit (top, left, bottom, right) padding from `pads` or `auto_pad`. SAME padding
    /// keeps ceil(size / stride) outputs; SAME_UPPER puts an odd extra pixel at the end
    /// (bottom/right), SAME_LOWER at the beginning.
    private func resolvePads(_ ctx: NodeContext, input: [Dim], kernel: (Int, Int), strides: (Int, Int)) throws
        -> (Int, Int, Int, Int) {
        let mode = try ctx.string("auto_pad") ?? "NOTSET"
        let explicit = try ctx.ints("pads")
        if let p = explicit {
            guard p.count == 4 else { throw ctx.unsupported("pads", "\(p): only 2-D padding is supported") }
            guard p.allSatisfy({ $0 >= 0 }) else { throw ctx.invalid("pads", "\(p) must not be negative") }
        }
        switch mode {
        case "NOTSET", "":
            let p = explicit ?? [0, 0, 0, 0]
            return (p[0], p[1], p[2], p[3])
        case "VALID":
            return (0, 0, 0, 0)
        case "SAME_UPPER", "SAME_LOWER":
            guard input.count == 4, let h = input[2].known, let w = input[3].known else {
                throw ctx.shapeError("auto_pad \(mode) needs the spatial size, which is not known at load time")
            }
            func same(_ n: Int, _ k: Int, _ s: Int) -> (Int, Int) {
                let out = (n + s - 1) / s
                let total = max((out - 1) * s + k - n, 0)
                let small = total / 2
                return mode == "SAME_UPPER" ? (small, total - small) : (total - small, small)
            }
            let (top, bottom) = same(h, kernel.0, strides.0)
            let (left, right) = same(w, kernel.1, strides.1)
            return (top, left, bottom, right)
        default:
            throw ctx.unsupported("auto_pad", "'\(mode)' (expected NOTSET, SAME_UPPER, SAME_LOWER or VALID)")
        }
    }
}
