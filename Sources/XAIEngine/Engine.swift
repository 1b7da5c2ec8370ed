import XAICore

/// Runs a `Graph` (NCHW float32, batch first): batched forward passes, reverse-mode gradients
/// w.r.t. the input or any named intermediate tensor, and sub-graph evaluation from named
/// tensors. Immutable after `init`; every call allocates its own scratch, so one engine may
/// serve concurrent calls.
public final class Engine: @unchecked Sendable {
    /// Preparation switches (all on by default; tests turn them off to compare).
    public struct Options: Sendable {
        /// Fold a BatchNormalization into the conv before it when that conv feeds only the BN.
        public var foldBatchNorm = true
        /// Run a Relu / Clip / LeakyRelu in the epilogue of the conv before it when that conv
        /// feeds only the rectifier. The conv's own output is then not addressable.
        public var fuseActivations = true

        public init(foldBatchNorm: Bool = true, fuseActivations: Bool = true) {
            self.foldBatchNorm = foldBatchNorm
            self.fuseActivations = fuseActivations
        }
    }

    /// The graph after preparation: constant sub-graphs evaluated, BatchNormalization folded
    /// into convolutions where possible, axes made non-negative.
    public let graph: Graph
    let steps: [Step]
    /// Per-item shape of every addressable tensor.
    let itemShapes: [String: [Int]]
    /// Addressable tensors in topological order (graph input first).
    let order: [String]
    /// Index in `steps` of the step writing each tensor.
    let producer: [String: Int]
    /// The first step from which micro-batched passes run the whole batch at once: every later
    /// step reads vectors or maps of at most `wholeBatchPixels` pixels (Engine+MicroBatch.swift).
    let wholeBatchFrom: Int
    /// Floats per image of the largest tensor a forward pass writes.
    let largestWrittenItem: Int
    /// Floats per image of the largest buffer a forward pass fills whole before a step reads it:
    /// the written tensors, and the depthwise outputs that fused steps hand their projections.
    let largestStagedItem: Int
    /// Images per micro-batch of forward passes (Engine+MicroBatch.swift).
    var forwardMicroBatch: Int {
        Engine.forwardMicroBatch(largestItemFloats: largestWrittenItem, stagedItemFloats: largestStagedItem, precision: precision)
    }
    /// Conv + depthwise pairs run as one step when the first conv's output is not kept, keyed
    /// by that conv's step index (ExpandDepthwise.swift).
    let expandDepthwise: [Int: ExpandDepthwise]
    /// The pointwise group-1 conv two steps after such a pair when it alone reads the depthwise
    /// output (the block's projection), keyed like `expandDepthwise`: it joins the step, which
    /// hands it that output as pixel vectors (fp32) or bf16 pairs (ExpandDepthwise+BF16.swift).
    let pairedProjections: [Int: ConvPlan]
    /// Arithmetic of the group-1 convolutions' products; fp32 unless made by `computing(in:)`.
    public let precision: Precision
    /// Pointwise convs whose Add (and the rectifier after it) runs in their epilogue when the
    /// intermediates are not kept, keyed by the conv's step index (ResidualAdd.swift).
    let residualAdds: [Int: ResidualAdd]
    /// How many operands of later steps read each tensor (fusions and the backward's mask
    /// hand-over need a tensor's only reader).
    let readers: [String: Int]

    /// Prepares `graph` with the default options. Throws `EngineError` naming the node and
    /// the graph's source when an op, attribute or shape is not supported.
    public convenience init(graph: Graph) throws {
        try self.init(graph: graph, options: Options())
    }

    public init(graph: Graph, options: Options) throws {
        _ = MemoryTuning.apply
        precision = .fp32
        let prepared = try GraphPreparation(graph, options: options)
        self.graph = prepared.graph
        self.steps = prepared.steps
        self.itemShapes = prepared.itemShapes
        self.order = [prepared.graph.input] + prepared.steps.map(\.output)
        var producer: [String: Int] = [:]
        for (i, s) in prepared.steps.enumerated() { producer[s.output] = i }
        self.producer = producer
        var split = prepared.steps.count
        for (i, s) in prepared.steps.enumerated().reversed() {
            let small = s.computedInputs.allSatisfy { name in
                let shape = prepared.itemShapes[name] ?? []
                return shape.count != 3 || shape[1] * shape[2] <= Engine.wholeBatchPixels
            }
            guard small else { break }
            split = i
        }
        wholeBatchFrom = split
        var readers: [String: Int] = [:]
        for s in prepared.steps { for name in s.computedInputs { readers[name, default: 0] += 1 } }
        self.readers = readers
        var fusions: [Int: ExpandDepthwise] = [:]
        for (i, s) in prepared.steps.enumerated().dropLast() {
            let next = prepared.steps[i + 1]
            guard let e = s.conv, let d = next.conv, next.computedInputs == [s.output], readers[s.output] == 1,
                  !prepared.graph.outputs.contains(s.output), ExpandDepthwise.fits(expand: e, depthwise: d) else { continue }
            fusions[i] = ExpandDepthwise(expand: e, depthwise: d)
        }
        expandDepthwise = fusions
        var projections: [Int: ConvPlan] = [:]
        for i in fusions.keys where i + 2 < prepared.steps.count {
            let depthwise = prepared.steps[i + 1], next = prepared.steps[i + 2]
            guard let p = next.conv, BlockedProjection.fits(p), p.packed != nil,
                  next.computedInputs == [depthwise.output], readers[depthwise.output] == 1,
                  !prepared.graph.outputs.contains(depthwise.output) else { continue }
            projections[i] = p
        }
        pairedProjections = projections
        // Tensors the fused steps keep to themselves are never written as tensors; a projection's
        // depthwise output is staged in the workspace instead, all of a micro-batch before the
        // projection reads it.
        let staged = projections.keys.map { prepared.steps[$0 + 1].output }
        let unwritten = Set(fusions.keys.map { prepared.steps[$0].output } + staged)
        let written = prepared.steps.map(\.output).filter { !unwritten.contains($0) }
        func largest(_ names: [String]) -> Int { names.map { prepared.itemShapes[$0]?.reduce(1, *) ?? 0 }.max() ?? 0 }
        largestWrittenItem = largest(written)
        largestStagedItem = max(largestWrittenItem, largest(staged))
        var adds: [Int: ResidualAdd] = [:]
        for i in prepared.steps.indices {
            adds[i] = ResidualAdd.find(at: i, in: prepared.steps, readers: readers, outputs: prepared.graph.outputs,
                                       itemShapes: prepared.itemShapes)
        }
        residualAdds = adds
    }

    /// `other`'s prepared graph and plans (their bf16 filters included) computing in `precision`.
    init(sharing other: Engine, precision: Precision) {
        (graph, steps, itemShapes, order) = (other.graph, other.steps, other.itemShapes, other.order)
        (producer, wholeBatchFrom, expandDepthwise) = (other.producer, other.wholeBatchFrom, other.expandDepthwise)
        (largestWrittenItem, largestStagedItem) = (other.largestWrittenItem, other.largestStagedItem)
        (pairedProjections, residualAdds, readers) = (other.pairedProjections, other.residualAdds, other.readers)
        self.precision = precision
    }

    /// Maps this small run as one batch in micro-batched passes: the classifier head after
    /// global pooling, whose weights (5 MB for Lite0) a micro-batch of two reads for 4 KB of
    /// input. Measured on Lite0: also batching the 7x7 layers is slower (their products, split
    /// across the cores, hand off at every op).
    static let wholeBatchPixels = 1

    /// Every addressable tensor in topological order with its per-item shape (no batch axis).
    public var tensors: [(name: String, shape: [Int])] {
        order.map { ($0, itemShapes[$0] ?? []) }
    }

    /// Per-item shape (no batch axis) of an addressable tensor.
    public func shape(of name: String) -> [Int]? { itemShapes[name] }

    /// The logits tensor, `graph.outputs[0]`.
    public var outputName: String { graph.outputs[0] }

    /// Number of classes (last dimension of the logits).
    public var classCount: Int { itemShapes[outputName]?.last ?? 0 }

    /// The op that writes `name` ("Input" for the graph input), for listings.
    public func opName(of name: String) -> String? {
        if name == graph.input { return "Input" }
        guard let i = producer[name] else { return nil }
        let s = steps[i]
        if let a = s.activation { return "\(s.op.onnxName)+\(a.pointwise.onnxName)" }
        return s.op.onnxName
    }

    func fullShape(_ name: String, batch: Int) -> [Int] {
        [batch] + (itemShapes[name] ?? [])
    }
}
