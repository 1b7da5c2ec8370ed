import XAIEngine

extension GraphImporter {
    /// The operator table: one entry per supported ONNX operator (`ONNXError.supportedOps`
    /// lists its keys).
    static let operators: [String: (GraphImporter, NodeContext) throws -> Void] = [
        // Load-time shape computations (run-time forms of some are rewritten).
        "Constant": { try $0.constantNode($1) },
        "Shape": { try $0.shapeNode($1) },
        "Gather": { try $0.gather($1) },
        "Slice": { try $0.slice($1) },
        "Cast": { try $0.cast($1) },
        "ConstantOfShape": { try $0.constantOfShape($1) },
        "Range": { try $0.range($1) },
        "Unsqueeze": { try $0.squeezeOrUnsqueeze($1) },
        "Squeeze": { try $0.squeezeOrUnsqueeze($1) },
        "Concat": { try $0.concat($1) },
        "Reshape": { try $0.reshape($1) },
        "Flatten": { try $0.flatten($1) },
        "Transpose": { try $0.transpose($1) },
        "Split": { try $0.split($1) },
        "Identity": { try $0.identity($1) },
        "Dropout": { try $0.dropout($1) },
        "Add": { try $0.arithmetic($1) },
        "Sub": { try $0.arithmetic($1) },
        "Mul": { try $0.arithmetic($1) },
        "Div": { try $0.arithmetic($1) },

        // Layers.
        "Conv": { try $0.conv($1) },
        "MaxPool": { try $0.pool($1) },
        "AveragePool": { try $0.pool($1) },
        "GlobalAveragePool": { importer, ctx in
            try ctx.allowOnly([])
            try importer.emit(ctx, .globalAveragePool, inputs: [try importer.data(ctx)], output: ctx.outputs[0])
        },
        "BatchNormalization": { try $0.batchNorm($1) },
        "Gemm": { try $0.gemm($1) },
        "MatMul": { importer, ctx in
            try ctx.allowOnly([])
            try importer.emit(ctx, .matMul, inputs: try importer.inputs(ctx, 2), output: ctx.outputs[0])
        },
        "Pad": { try $0.pad($1) },
        "ReduceMean": { try $0.reduceMean($1) },
        "LRN": { try $0.lrn($1) },
        "Softmax": { try $0.softmax($1) },
        "LayerNormalization": { try $0.layerNorm($1) },

        // Activations (`XAIEngine/Ops/Pointwise.swift`).
        "Relu": { try $0.unary($1, .relu) },
        "Sigmoid": { try $0.unary($1, .sigmoid) },
        "Tanh": { try $0.unary($1, .tanh) },
        "HardSwish": { try $0.unary($1, .hardSwish) },
        "LeakyRelu": { importer, ctx in
            try ctx.allowOnly(["alpha"])
            try importer.unary(ctx, .leakyRelu(alpha: try ctx.float("alpha", default: 0.01)), checked: true)
        },
        "HardSigmoid": { importer, ctx in
            try ctx.allowOnly(["alpha", "beta"])
            let op = Pointwise.hardSigmoid(alpha: try ctx.float("alpha", default: 0.2), beta: try ctx.float("beta", default: 0.5))
            try importer.unary(ctx, op, checked: true)
        },
        "Clip": { try $0.clip($1) },
        "Gelu": { importer, ctx in
            try ctx.allowOnly(["approximate"])
            let form = try ctx.string("approximate") ?? "none"
            guard form == "none" || form == "tanh" else {
                throw ctx.invalid("approximate", "'\(form)' is neither 'none' nor 'tanh'")
            }
            try importer.unary(ctx, .gelu(tanhApproximation: form == "tanh"), checked: true)
        },
    ]

    func translate(_ ctx: NodeContext) throws {
        guard let translation = GraphImporter.operators[ctx.op] else {
            throw ONNXError.unsupportedOp(op: ctx.op, node: ctx.name, file: file)
        }
        try translation(self, ctx)
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
