import XAIEngine

extension GraphImporter {
    /// The operator table: one entry per supported ONNX operator.
    func translate(_ ctx: NodeContext) throws {
        switch ctx.op {
        // Load-time shape computations (run-time forms of some are rewritten).
        case "Constant": try constantNode(ctx)
        case "Shape": try shapeNode(ctx)
        case "Gather": try gather(ctx)
        case "Slice": try slice(ctx)
        case "Cast": try cast(ctx)
        case "ConstantOfShape": try constantOfShape(ctx)
        case "Range": try range(ctx)
        case "Unsqueeze", "Squeeze": try squeezeOrUnsqueeze(ctx)
        case "Concat": try concat(ctx)
        case "Reshape": try reshape(ctx)
        case "Flatten": try flatten(ctx)
        case "Transpose": try transpose(ctx)
        case "Identity": try identity(ctx)
        case "Dropout": try dropout(ctx)
        case "Add", "Sub", "Mul", "Div": try arithmetic(ctx)

        // Layers.
        case "Conv": try conv(ctx)
        case "MaxPool", "AveragePool": try pool(ctx)
        case "GlobalAveragePool":
            try ctx.allowOnly([])
            try emit(ctx, .globalAveragePool, inputs: [try data(ctx)], output: ctx.outputs[0])
        case "BatchNormalization": try batchNorm(ctx)
        case "Gemm": try gemm(ctx)
        case "MatMul":
            try ctx.allowOnly([])
            try emit(ctx, .matMul, inputs: try inputs(ctx, 2), output: ctx.outputs[0])
        case "Pad": try pad(ctx)
        case "ReduceMean": try reduceMean(ctx)
        case "LRN": try lrn(ctx)
        case "Softmax": try softmax(ctx)

        // Activations.
        case "Relu": try unary(ctx, .relu)
        case "Sigmoid": try unary(ctx, .sigmoid)
        case "Tanh": try unary(ctx, .tanh)
        case "HardSwish": try unary(ctx, .hardSwish)
        case "LeakyRelu":
            try ctx.allowOnly(["alpha"])
            try unary(ctx, .leakyRelu(alpha: try ctx.float("alpha", default: 0.01)), checked: true)
        case "HardSigmoid":
            try ctx.allowOnly(["alpha", "beta"])
            let op = Pointwise.hardSigmoid(alpha: try ctx.float("alpha", default: 0.2), beta: try ctx.float("beta", default: 0.5))
            try unary(ctx, op, checked: true)
        case "Clip": try clip(ctx)

        default:
            throw ONNXError.unsupportedOp(op: ctx.op, node: ctx.name, file: file)
        }
    }

    /// The node's first input, which must exist.
    func data(_ ctx: NodeContext) throws -> String {
        guard let x = ctx.input(0) else { throw ctx.invalid("input", "the data input is missing") }
        return x
    }

    /// The node's first `n` inputs, which must all exist.
    func inputs(_ ctx: NodeContext, _ n: Int) throws -> [String] {
        try (0..<n).map { i in
            guard let x = ctx.input(i) else { throw ctx.invalid("input", "input \(i) is missing") }
            return x
        }
    }

    /// An elementwise activation on one input.
    func unary(_ ctx: NodeContext, _ activation: Pointwise, checked: Bool = false) throws {
        if !checked { try ctx.allowOnly([]) }
        try emit(ctx, .pointwise(activation), inputs: [try data(ctx)], output: ctx.outputs[0])
    }

    func identity(_ ctx: NodeContext) throws {
        try ctx.allowOnly([])
        let x = try data(ctx)
        switch try value(x, ctx) {
        case let .constant(c): define(ctx, c)
        case .runtime: try emit(ctx, .identity, inputs: [x], output: ctx.outputs[0])
        }
    }

    /// Inference-mode Dropout is the identity; a requested training mode is refused.
    func dropout(_ ctx: NodeContext) throws {
        try ctx.allowOnly(["ratio", "seed", "is_test"])
        if ctx.opset < 7, try ctx.int("is_test", default: 0) == 0 {
            throw ctx.unsupported("is_test", "Dropout in training mode is not supported")
        }
        if let training = try constant(2, ctx) {
            guard training.scalarInt == 0 else {
                throw ctx.unsupported("training_mode", "Dropout in training mode is not supported")
            }
        } else if let t = ctx.input(2), try isRuntime(t, ctx) {
            throw ctx.unsupported("training_mode", "training_mode must be a constant")
        }
        try requireUnusedOutputs(ctx, from: 1)
        let x = try data(ctx)
        switch try value(x, ctx) {
        case let .constant(c): define(ctx, c)
        case .runtime: try emit(ctx, .identity, inputs: [x], output: ctx.outputs[0])
        }
    }
}
