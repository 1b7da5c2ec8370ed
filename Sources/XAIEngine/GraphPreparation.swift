import XAICore

/// Turns a `Graph` into executable steps: checks every node (arity, constant operands,
/// attributes, shapes for two batch sizes so that no op mixes items), evaluates nodes whose
/// inputs are all constants, folds BatchNormalization into convs and fuses rectifiers.
struct GraphPreparation {
    private(set) var graph: Graph
    private(set) var steps: [Step] = []
    private(set) var itemShapes: [String: [Int]] = [:]

    init(_ source: Graph, options: Engine.Options) throws {
        graph = source
        try checkInput()
        try inferShapes()
        if options.foldBatchNorm { foldBatchNorms() }
        pruneConstants()
        try buildSteps(fuse: options.fuseActivations)
    }

    private func fail(_ node: Node, _ detail: String) -> EngineError {
        .shapeMismatch(op: node.op.onnxName, node: node.name, detail: "\(detail) (in \(graph.source))")
    }

    private func checkInput() throws {
        guard !graph.inputShape.isEmpty, graph.inputShape.allSatisfy({ $0 > 0 }) else {
            throw EngineError.badInput(detail: "\(graph.source): input '\(graph.input)' has invalid per-item shape \(graph.inputShape)")
        }
        guard !graph.outputs.isEmpty else {
            throw EngineError.badInput(detail: "\(graph.source): the graph has no outputs")
        }
    }

    /// Shapes at batch 1 and 2; the per-item parts must agree and the batch must stay leading.
    private mutating func inferShapes() throws {
        var s1: [String: [Int]] = [graph.input: [1] + graph.inputShape]
        var s2: [String: [Int]] = [graph.input: [2] + graph.inputShape]
        var kept: [Node] = []
        for var node in graph.nodes {
            guard s1[node.output] == nil, graph.constants[node.output] == nil else {
                throw fail(node, "output '\(node.output)' is written twice")
            }
            for name in node.inputs where s1[name] == nil && graph.constants[name] == nil {
                throw fail(node, "input '\(name)' is neither a constant nor produced by an earlier node")
            }
            guard node.op.arity.contains(node.inputs.count) else {
                throw fail(node, "expects \(node.op.arity.lowerBound) to \(min(node.op.arity.upperBound, 99)) inputs, got \(node.inputs.count)")
            }
            let rank = (s1[node.inputs[0]] ?? graph.constants[node.inputs[0]]?.shape ?? []).count
            do { node.op = try node.op.canonical(rank: rank) } catch let e as ShapeIssue { throw fail(node, e.detail) }
            try checkConstantOperands(node)
            let allConstant = node.inputs.allSatisfy { graph.constants[$0] != nil }
            let shapes1 = node.inputs.map { s1[$0] ?? graph.constants[$0]!.shape }
            let shapes2 = node.inputs.map { s2[$0] ?? graph.constants[$0]!.shape }
            let out1: [Int], out2: [Int]
            do {
                out1 = try node.op.outputShape(shapes1)
                out2 = allConstant ? out1 : try node.op.outputShape(shapes2)
            } catch let e as ShapeIssue {
                throw fail(node, e.detail)
            }
            if allConstant {
                // Constant sub-graph (e.g. a reshaped bias): evaluate once now.
                let step = try makeStep(node)
                graph.constants[node.output] = step.forward(node.inputs.map { graph.constants[$0]! }, workspace: Workspace())
                continue
            }
            guard out1.first == 1, out2.first == 2, Array(out1.dropFirst()) == Array(out2.dropFirst()) else {
                throw fail(node, "output shape \(out1) at batch 1 and \(out2) at batch 2: the op must keep the batch as the leading axis and not mix items")
            }
            s1[node.output] = out1
            s2[node.output] = out2
            itemShapes[node.output] = Array(out1.dropFirst())
            kept.append(node)
        }
        itemShapes[graph.input] = graph.inputShape
        for o in graph.outputs where itemShapes[o] == nil {
            throw EngineError.badInput(detail: "\(graph.source): graph output '\(o)' is not computed from the input")
        }
        graph.nodes = kept
    }

    /// Conv weights / bias and BN statistics must be constants (weight gradients are not formed).
    private func checkConstantOperands(_ node: Node) throws {
        let constantSlots: [Int]
        switch node.op {
        case .conv: constantSlots = Array(1..<node.inputs.count)
        case .batchNorm: constantSlots = [1, 2, 3, 4]
        default: return
        }
        for i in constantSlots where graph.constants[node.inputs[i]] == nil {
            throw EngineError.unsupportedOp(op: "\(node.op.onnxName) with a computed \(i == 1 ? "weight" : "parameter") '\(node.inputs[i])'",
                                            node: node.name, file: graph.source)
        }
    }

    private func consumers(of name: String) -> Int {
        graph.nodes.reduce(0) { $0 + $1.inputs.filter { $0 == name }.count } + (graph.outputs.contains(name) ? 1 : 0)
    }

    /// Conv -> BatchNormalization becomes one conv writing the BN's output name.
    private mutating func foldBatchNorms() {
        var index: [String: Int] = [:]
        for (i, n) in graph.nodes.enumerated() { index[n.output] = i }
        var removed = Set<Int>()
        for (bi, bn) in graph.nodes.enumerated() {
            guard case let .batchNorm(eps) = bn.op, let ci = index[bn.inputs[0]], case .conv = graph.nodes[ci].op,
                  consumers(of: bn.inputs[0]) == 1 else { continue }
            let conv = graph.nodes[ci]
            let w = graph.constants[conv.inputs[1]]!
            let m = w.shape[0], per = w.count / m
            let (s, t) = Normalization.batchNormAffine(
                scale: graph.constants[bn.inputs[1]]!, bias: graph.constants[bn.inputs[2]]!,
                mean: graph.constants[bn.inputs[3]]!, variance: graph.constants[bn.inputs[4]]!, epsilon: eps)
            var wd = w.data
            for o in 0..<m { for i in 0..<per { wd[o * per + i] *= s[o] } }
            let oldBias = conv.inputs.count > 2 ? graph.constants[conv.inputs[2]]!.data : [Float](repeating: 0, count: m)
            let bias = (0..<m).map { oldBias[$0] * s[$0] + t[$0] }
            let wName = uniqueConstantName("\(conv.name)/weight_bn_folded")
            graph.constants[wName] = Tensor(shape: w.shape, data: wd)
            let bName = uniqueConstantName("\(conv.name)/bias_bn_folded")
            graph.constants[bName] = Tensor(shape: [m], data: bias)
            graph.nodes[ci] = Node(name: conv.name, op: conv.op, inputs: [conv.inputs[0], wName, bName], output: bn.output)
            removed.insert(bi)
        }
        graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        itemShapes = itemShapes.filter { key, _ in key == graph.input || graph.nodes.contains { $0.output == key } }
    }

    private func uniqueConstantName(_ base: String) -> String {
        var name = base, k = 1
        while graph.constants[name] != nil { k += 1; name = "\(base)_\(k)" }
        return name
    }

    private mutating func pruneConstants() {
        let used = Set(graph.nodes.flatMap(\.inputs))
        graph.constants = graph.constants.filter { used.contains($0.key) }
    }

    private func makeStep(_ node: Node) throws -> Step {
        let operands: [Operand] = node.inputs.map { name in
            if let c = graph.constants[name] { return .constant(c) }
            return .computed(name)
        }
        var step = Step(node: node, operands: operands, activation: nil, conv: nil)
        if case let .conv(attrs) = node.op {
            let w = graph.constants[node.inputs[1]]!
            step.conv = ConvPlan(attrs: attrs, inChannels: w.shape[1] * attrs.groups, outChannels: w.shape[0],
                                 weights: w.data, bias: node.inputs.count > 2 ? graph.constants[node.inputs[2]]!.data : nil,
                                 activation: nil)
        }
        return step
    }

    /// Steps in graph order; a rectifier that is the only consumer of a conv runs in its epilogue.
    private mutating func buildSteps(fuse: Bool) throws {
        var fusedAway = Set<Int>()
        var built: [Step] = []
        for (i, node) in graph.nodes.enumerated() {
            if fusedAway.contains(i) { continue }
            var step = try makeStep(node)
            if fuse, case .conv = node.op, consumers(of: node.output) == 1,
               let j = graph.nodes.indices.first(where: { $0 > i && graph.nodes[$0].inputs.contains(node.output) }),
               case let .pointwise(p) = graph.nodes[j].op, let act = FusedActivation(fusing: p),
               graph.nodes[j].inputs.count == 1 {
                step.activation = act
                step.conv?.activation = act
                step.node.output = graph.nodes[j].output
                fusedAway.insert(j)
                itemShapes[node.output] = nil
            }
            built.append(step)
        }
        steps = built
    }
}
