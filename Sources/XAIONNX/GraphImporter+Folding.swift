import XAICore
import XAIEngine

/// Shape-computation operators, evaluated at load time (Constant, Shape, Gather, Slice, Cast,
/// ConstantOfShape, Range) and elementwise arithmetic, which is folded when both operands
/// are constants and becomes a graph-IR node otherwise.
extension GraphImporter {
    /// Runs a folding step, turning a `ShapeProblem` into an error naming the node.
    func folding<T>(_ ctx: NodeContext, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let p as ShapeProblem {
            throw ctx.shapeError(p.message)
        }
    }

    /// The node's data input when it is a load-time constant, else an error saying that
    /// this operator is only supported on constants.
    func constantData(_ ctx: NodeContext) throws -> ConstTensor {
        guard let c = try constant(0, ctx) else {
            throw ctx.unsupported("input", "\(ctx.op) is only supported on tensors known at load time, "
                + "but '\(try data(ctx))' depends on the image")
        }
        return c
    }

    func constantNode(_ ctx: NodeContext) throws {
        let decoder = TensorDecoder(file: file)
        guard ctx.attributeNames.count == 1, let key = ctx.attributeNames.first else {
            throw ctx.invalid("value", "Constant needs exactly one value attribute")
        }
        switch key {
        case "value":
            guard let t = try ctx.tensor(key) else { throw ctx.invalid(key, "missing") }
            define(ctx, try decoder.decode(t, name: ctx.outputs[0]))
        case "value_float":
            define(ctx, ConstTensor(floats: [try ctx.float(key) ?? 0], shape: []))
        case "value_floats":
            let f = try ctx.floats(key) ?? []
            define(ctx, ConstTensor(floats: f, shape: [f.count]))
        case "value_int":
            define(ctx, ConstTensor(ints: [try ctx.int(key) ?? 0], shape: []))
        case "value_ints":
            let v = try ctx.unboundedInts(key) ?? []
            define(ctx, ConstTensor(ints: v, shape: [v.count]))
        default:
            throw ctx.unsupported(key, "only numeric Constant values are supported")
        }
    }

    func shapeNode(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["start", "end"])
        let s = try shape(try data(ctx), ctx)
        let r = s.count
        func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + r : v, 0), r) }
        let start = clamp(try ctx.int("start", default: 0))
        let end = clamp(try ctx.int("end", default: r))
        let dims = start < end ? Array(s[start..<end]) : []
        define(ctx, ConstTensor(dims: dims, shape: [dims.count]))
    }

    func gather(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["axis"])
        if try isRuntime(try data(ctx), ctx) { return try gatherView(ctx, try data(ctx)) }
        let x = try constantData(ctx)
        let idx = try requireConstant(1, ctx, "indices")
        let axis = try ctx.int("axis", default: 0)
        define(ctx, try folding(ctx) { try x.gather(idx, axis: axis) })
    }

    func slice(_ ctx: NodeContext) throws {
        let x = try constantData(ctx)
        let starts: [Int], ends: [Int], axes: [Int], steps: [Int]
        if ctx.opset < 10 {
            try ctx.allowOnly(["starts", "ends", "axes"])
            guard let s = try ctx.unboundedInts("starts"), let e = try ctx.unboundedInts("ends") else {
                throw ctx.invalid("starts", "Slice needs starts and ends")
            }
            starts = s
            ends = e
            axes = try ctx.ints("axes") ?? Array(0..<s.count)
            steps = Array(repeating: 1, count: s.count)
        } else {
            try ctx.allowOnly([])
            func ints(_ i: Int, _ what: String) throws -> [Int]? {
                guard ctx.input(i) != nil else { return nil }
                guard let v = try requireConstant(i, ctx, what).ints else {
                    throw ctx.unsupported(what, "must not depend on the batch size")
                }
                return v
            }
            guard let s = try ints(1, "starts"), let e = try ints(2, "ends") else {
                throw ctx.invalid("starts", "Slice needs starts and ends")
            }
            starts = s
            ends = e
            axes = try ints(3, "axes") ?? Array(0..<s.count)
            steps = try ints(4, "steps") ?? Array(repeating: 1, count: s.count)
        }
        define(ctx, try folding(ctx) { try x.slice(starts: starts, ends: ends, axes: axes, steps: steps) })
    }

    func cast(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["to", "saturate"])
        guard let to = try ctx.int("to") else { throw ctx.invalid("to", "Cast needs a target type") }
        let x = try data(ctx)
        guard case let .constant(c) = try value(x, ctx) else {
            guard to == ONNXDataType.float else {
                throw ctx.unsupported("to", "run-time tensors are float32; casting them to \(ONNXDataType.name(to)) is not supported")
            }
            try emit(ctx, .identity, inputs: [x], output: ctx.outputs[0])
            return
        }
        if ONNXDataType.isFloatingPoint(to) {
            guard let f = c.floats else { throw ctx.unsupported("to", "cannot convert a batch-dependent size to float") }
            define(ctx, ConstTensor(floats: f, shape: c.shape))
        } else if ONNXDataType.isInteger(to) {
            guard var d = c.dims else { throw ctx.invalid("input", "value out of the integer range") }
            if to == ONNXDataType.bool { d = d.map { $0 == .value(0) ? .value(0) : ($0.known != nil ? .value(1) : $0) } }
            define(ctx, ConstTensor(dims: d, shape: c.shape))
        } else {
            throw ctx.unsupported("to", "casting to \(ONNXDataType.name(to)) is not supported")
        }
    }

    func constantOfShape(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["value"])
        guard let dims = try requireConstant(0, ctx, "input").ints else {
            throw ctx.unsupported("input", "ConstantOfShape of a batch-dependent shape is not supported")
        }
        guard let n = Shape.elementCount(dims, limit: ConstTensor.foldLimit) else {
            throw ctx.shapeError("shape \(dims) is negative or too large (more than \(ConstTensor.foldLimit) elements)")
        }
        var fill = ConstTensor(floats: [0], shape: [1])
        if let t = try ctx.tensor("value") {
            fill = try TensorDecoder(file: file).decode(t, name: "\(ctx.name).value")
            guard fill.count == 1 else { throw ctx.invalid("value", "must hold one element") }
        }
        switch fill.elements {
        case let .float(f): define(ctx, ConstTensor(floats: Array(repeating: f[0], count: n), shape: dims))
        case let .int(d): define(ctx, ConstTensor(dims: Array(repeating: d[0], count: n), shape: dims))
        }
    }

    func range(_ ctx: NodeContext) throws {
        try ctx.allowOnly([])
        let start = try requireConstant(0, ctx, "start")
        let limit = try requireConstant(1, ctx, "limit")
        let delta = try requireConstant(2, ctx, "delta")
        guard let s = start.scalarFloat, let l = limit.scalarFloat, let d = delta.scalarFloat else {
            throw ctx.unsupported("start", "Range needs scalar bounds that do not depend on the batch size")
        }
        guard d != 0, s.isFinite, l.isFinite, d.isFinite else { throw ctx.invalid("delta", "must be finite and non-zero") }
        let steps = ((Double(l) - Double(s)) / Double(d)).rounded(.up)
        guard steps <= Double(ConstTensor.foldLimit) else {
            throw ctx.shapeError("Range would create \(steps) elements (more than \(ConstTensor.foldLimit))")
        }
        let n = max(0, Int(steps))
        if !start.isFloat, !delta.isFloat, let si = start.scalarInt, let di = delta.scalarInt {
            define(ctx, ConstTensor(ints: (0..<n).map { si &+ $0 &* di }, shape: [n]))
        } else {
            define(ctx, ConstTensor(floats: (0..<n).map { s + Float($0) * d }, shape: [n]))
        }
    }

    func arithmetic(_ ctx: NodeContext) throws {
        try ctx.allowOnly([])
        let names = try inputs(ctx, 2)
        if case let .constant(a) = try value(names[0], ctx), case let .constant(b) = try value(names[1], ctx) {
            define(ctx, try folding(ctx) { try ConstTensor.binary(a, b, ctx.op) })
            return
        }
        let op: Op = ctx.op == "Add" ? .add : ctx.op == "Sub" ? .sub : ctx.op == "Mul" ? .mul : .div
        try emit(ctx, op, inputs: names, output: ctx.outputs[0])
    }
}
