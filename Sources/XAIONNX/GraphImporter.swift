import XAICore
import XAIEngine

/// Translates one decoded ONNX model into a `Graph`: reads initializers, finds the image
/// input, walks the nodes in file order folding everything computable at load time and
/// emitting graph-IR nodes for the rest, then drops nodes the outputs do not need.
final class GraphImporter {
    /// What is known about a tensor while importing.
    enum Value {
        /// Known at load time.
        case constant(ConstTensor)
        /// Computed at run time (float32) with this shape; the batch dimension stays symbolic.
        case runtime([Dim])
    }

    let file: String
    let opset: Int
    let graph: Xai_Onnx_GraphProto
    let inputSize: (height: Int, width: Int)?
    /// The size for a symbolic input dimension when `inputSize` is nil (a fixed one wins).
    let defaultInputSize: (height: Int, width: Int)?
    /// The model's folder, where external tensor data is read from (nil: bytes in memory).
    let directory: String?

    var values: [String: Value] = [:]
    var nodes: [Node] = []
    var constants: [String: Tensor] = [:]
    /// Names of every tensor and node in the output graph, to keep helper names unique.
    var takenNames: Set<String> = []
    var inputName = ""
    var inputShape: [Int] = []
    /// Nodes replaced by the choice of input layout (NHWC input transposes).
    var absorbed: Set<Int> = []
    /// Tensor names that run-time nodes read under another name: outputs of absorbed input
    /// transposes (the NCHW input itself) and an NHWC input (its transposed copy).
    var aliases: [String: String] = [:]
    /// Every tensor name some node or graph output reads.
    var consumed: Set<String> = []
    /// Run-time tensors that a graph exported with a fixed batch of 1 flattens whole
    /// (`view(-1)`), kept per item as [batch, count] (`GraphImporter+Reshape.swift`).
    var itemFlattened: Set<String> = []
    /// The PyTorch module of each emitted tensor, where the file records it (`Graph.modulePaths`).
    var modulePaths: [String: String] = [:]
    private var nodeNames: Set<String> = []

    /// Largest image item (C*H*W) accepted, and the largest per-item activation a node may
    /// produce; both keep a hostile file from making the engine allocate without bound.
    static let itemLimit = 1 << 28

    init(graph: Xai_Onnx_GraphProto, opset: Int, file: String, inputSize: (height: Int, width: Int)?,
         defaultInputSize: (height: Int, width: Int)? = nil, directory: String? = nil) {
        self.graph = graph
        self.directory = directory
        self.opset = opset
        self.file = file
        self.inputSize = inputSize
        self.defaultInputSize = defaultInputSize
    }

    func run() throws -> Graph {
        let decoder = TensorDecoder(file: file, external: ExternalData(directory: directory, file: file))
        for t in graph.initializer {
            guard !t.name.isEmpty else {
                throw ONNXError.invalidTensor(name: "<unnamed>", detail: "an initializer has no name", file: file)
            }
            values[t.name] = .constant(try decoder.decode(t))
            takenNames.insert(t.name)
        }
        for n in graph.node {
            takenNames.formUnion(n.output)
            consumed.formUnion(n.input)
        }
        consumed.formUnion(graph.output.map(\.name))
        try setUpInput()
        for (i, proto) in graph.node.enumerated() where !absorbed.contains(i) {
            let ctx = NodeContext(proto, index: i, file: file, opset: opset)
            guard ctx.proto.domain.isEmpty || ctx.proto.domain == "ai.onnx" else {
                throw ONNXError.unsupportedOp(op: "\(ctx.proto.domain).\(ctx.op)", node: ctx.name, file: file)
            }
            guard let out = ctx.outputs.first, !out.isEmpty else {
                throw ctx.shapeError("the node has no output")
            }
            try translate(ctx)
        }
        let outputs = try graph.output.map { o -> String in
            guard let v = values[o.name] else {
                throw ONNXError.badOutput(name: o.name, detail: "no node computes it", file: file)
            }
            guard case .runtime = v else {
                throw ONNXError.badOutput(name: o.name, detail: "it is a constant, not computed from the input", file: file)
            }
            return aliases[o.name] ?? o.name
        }
        guard !outputs.isEmpty else {
            throw ONNXError.badOutput(name: "", detail: "the graph declares no outputs", file: file)
        }
        pruneUnused(outputs: outputs)
        var result = Graph(input: inputName, inputShape: inputShape, outputs: outputs, nodes: nodes,
                           constants: constants, source: file)
        let live = Set(nodes.map(\.output))
        result.modulePaths = modulePaths.filter { live.contains($0.key) }
        return result
    }

    // MARK: values

    func value(_ name: String, _ ctx: NodeContext) throws -> Value {
        guard let v = values[name] else { throw ONNXError.missingTensor(name: name, node: ctx.name, file: file) }
        return v
    }

    /// The value of input `i` when it is known at load time, nil when it is a run-time tensor.
    func constant(_ i: Int, _ ctx: NodeContext) throws -> ConstTensor? {
        guard let name = ctx.input(i) else { return nil }
        if case let .constant(c) = try value(name, ctx) { return c }
        return nil
    }

    /// Input `i`, which must be known at load time (shapes, axes, pads, clip bounds).
    func requireConstant(_ i: Int, _ ctx: NodeContext, _ what: String) throws -> ConstTensor {
        guard let name = ctx.input(i) else { throw ctx.invalid(what, "input \(i) is missing") }
        guard case let .constant(c) = try value(name, ctx) else {
            throw ctx.unsupported(what, "input '\(name)' must be computable at load time, but it depends on the image")
        }
        return c
    }

    func shape(_ name: String, _ ctx: NodeContext) throws -> [Dim] {
        switch try value(name, ctx) {
        case let .constant(c): return SymbolicShape.known(c.shape)
        case let .runtime(s): return s
        }
    }

    func isRuntime(_ name: String, _ ctx: NodeContext) throws -> Bool {
        if case .runtime = try value(name, ctx) { return true }
        return false
    }

    /// The name under which an operand of an emitted node is found at run time; constants
    /// read by run-time nodes are copied into `Graph.constants` here.
    func operand(_ name: String, _ ctx: NodeContext) throws -> String {
        switch try value(name, ctx) {
        case .runtime: return aliases[name] ?? name
        case let .constant(c):
            if constants[name] == nil {
                guard let f = c.floats else {
                    throw ctx.unsupported(name, "constant depends on the batch size and cannot be used as data")
                }
                constants[name] = Tensor(shape: c.shape, data: f)
            }
            return name
        }
    }

    /// A name for a helper tensor or node derived from `base`, unused so far.
    func freshName(_ base: String) -> String {
        var candidate = base
        var k = 1
        while takenNames.contains(candidate) {
            candidate = "\(base)_\(k)"
            k += 1
        }
        takenNames.insert(candidate)
        return candidate
    }

    /// Appends a graph-IR node writing `output`, after inferring and checking its shape.
    func emit(_ ctx: NodeContext, _ op: Op, inputs: [String], output: String, nodeName: String? = nil) throws {
        let shapes = try inputs.map { try shape($0, ctx) }
        let outShape: [Dim]
        do {
            outShape = try ShapeInference.output(of: op, inputs: shapes)
        } catch let p as ShapeProblem {
            throw ctx.shapeError(p.message + " (input shapes " + shapes.map(SymbolicShape.format).joined(separator: ", ") + ")")
        }
        let perItem = outShape.map { $0.known ?? 1 }
        guard Shape.elementCount(perItem, limit: GraphImporter.itemLimit) != nil else {
            throw ctx.shapeError("output shape \(SymbolicShape.format(outShape)) is too large")
        }
        let operands = try inputs.map { try operand($0, ctx) }
        var name = nodeName ?? ctx.name
        if nodeNames.contains(name) {
            var k = 1
            while nodeNames.contains("\(name)_\(k)") { k += 1 }
            name = "\(name)_\(k)"
        }
        nodeNames.insert(name)
        nodes.append(Node(name: name, op: op, inputs: operands, output: output))
        modulePaths[output] = ctx.modulePath
        values[output] = .runtime(outShape)
        takenNames.insert(output)
    }

    /// Records a folded result for the node's output `index`.
    func define(_ ctx: NodeContext, _ c: ConstTensor, output index: Int = 0) {
        guard index < ctx.outputs.count, !ctx.outputs[index].isEmpty else { return }
        values[ctx.outputs[index]] = .constant(c)
    }

    /// Fails when a node's secondary output (a BN running statistic, a Dropout mask,
    /// MaxPool indices) is read by another node: those exist only in training or are not
    /// supported.
    func requireUnusedOutputs(_ ctx: NodeContext, from index: Int) throws {
        let extra = Set(ctx.outputs.dropFirst(index).filter { !$0.isEmpty })
        guard !extra.isEmpty else { return }
        for name in extra where consumed.contains(name) {
            throw ctx.unsupported("outputs", "output '\(name)' is used, but only the first output of \(ctx.op) is supported")
        }
    }

    // MARK: dead-node removal

    private func pruneUnused(outputs: [String]) {
        var live = Set(outputs)
        var keep = [Bool](repeating: false, count: nodes.count)
        for i in stride(from: nodes.count - 1, through: 0, by: -1) where live.contains(nodes[i].output) {
            keep[i] = true
            live.formUnion(nodes[i].inputs)
        }
        nodes = zip(nodes, keep).filter(\.1).map(\.0)
        constants = constants.filter { live.contains($0.key) }
    }
}
