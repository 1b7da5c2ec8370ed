import XAICore
import XAIEngine

/// The linear classifier after a global average pool, as CAM (Zhou et al.) requires:
/// target layer -> GlobalAveragePool (or ReduceMean over H, W) -> Flatten / Reshape / Identity
/// -> Gemm or MatMul with constant weights (-> Add of a constant bias) -> the logits.
struct ClassifierHead {
    /// Class weights [classes, channels], row-major.
    let weights: [Float]
    let classes: Int
    let channels: Int

    /// Finds the head after `layer` in the engine's prepared graph, or throws
    /// `.unsuitableModel` describing what was found and suggesting Grad-CAM.
    static func find(after layer: TargetLayer, engine: Engine, method: MethodKind) throws -> ClassifierHead {
        let graph = engine.graph
        var chain: [String] = []
        func unsuitable(_ why: String) -> MethodError {
            let found = chain.isEmpty ? "" : " (found: \(layer.name) -> \(chain.joined(separator: " -> ")))"
            return .unsuitableModel(method: method.rawValue,
                                    detail: "CAM needs the target layer to feed GlobalAveragePool -> (Flatten/Reshape) -> Gemm/MatMul producing the logits; \(why)\(found). Use gradcam, which works with any head")
        }
        func onlyConsumer(of name: String) throws -> Node {
            let users = graph.nodes.filter { $0.inputs.contains(name) }
            guard users.count == 1 else {
                throw unsuitable("'\(name)' is read by \(users.count) nodes, not exactly one")
            }
            return users[0]
        }

        var node = try onlyConsumer(of: layer.name)
        chain.append(node.op.onnxName)
        switch node.op {
        case .globalAveragePool: break
        case let .reduceMean(axes, _) where Set(axes) == [2, 3]: break
        default: throw unsuitable("the layer is followed by \(node.op.onnxName), not a global average pool")
        }
        node = try onlyConsumer(of: node.output)
        while node.op == .identity || node.op.isFlattenOrReshape {
            chain.append(node.op.onnxName)
            node = try onlyConsumer(of: node.output)
        }
        chain.append(node.op.onnxName)
        var weights: [Float]
        let classes: Int
        switch node.op {
        case let .gemm(alpha, _, transA, transB):
            guard !transA, node.inputs.count >= 2, node.inputs[0] != node.inputs[1],
                  let b = graph.constants[node.inputs[1]], b.rank == 2 else {
                throw unsuitable("the Gemm does not multiply the pooled features by a constant weight matrix")
            }
            // Y = alpha * X * op(B): op(B) is [C, K].
            let (c, k) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
            guard c == layer.channels else { throw unsuitable("the weight matrix has \(c) inputs for \(layer.channels) channels") }
            classes = k
            weights = [Float](repeating: 0, count: k * c)
            for ki in 0..<k {
                for ci in 0..<c {
                    weights[ki * c + ci] = alpha * (transB ? b.data[ki * c + ci] : b.data[ci * k + ki])
                }
            }
        case .matMul:
            guard node.inputs.count == 2, let b = graph.constants[node.inputs[1]], b.rank == 2, b.shape[0] == layer.channels else {
                throw unsuitable("the MatMul does not multiply the pooled features by a constant [\(layer.channels), classes] matrix")
            }
            let (c, k) = (b.shape[0], b.shape[1])
            classes = k
            weights = [Float](repeating: 0, count: k * c)
            for ki in 0..<k { for ci in 0..<c { weights[ki * c + ci] = b.data[ci * k + ki] } }
        default:
            throw unsuitable("the pooled features go into \(node.op.onnxName), not a Gemm or MatMul")
        }
        // An optional constant bias, then (possibly via Identity) the logits.
        var out = node.output
        while out != engine.outputName {
            let next = try onlyConsumer(of: out)
            chain.append(next.op.onnxName)
            let isBias = next.op == .add && next.inputs.count == 2 && next.inputs.contains { graph.constants[$0] != nil }
            guard next.op == .identity || isBias else {
                throw unsuitable("the linear layer is followed by \(next.op.onnxName) before the logits")
            }
            out = next.output
        }
        return ClassifierHead(weights: weights, classes: classes, channels: layer.channels)
    }

    /// The weights of class `k`: [channels].
    func classWeights(_ k: Int) -> [Float] {
        Array(weights[(k * channels)..<((k + 1) * channels)])
    }
}

extension Op {
    fileprivate var isFlattenOrReshape: Bool {
        switch self {
        case .flatten, .reshape: return true
        default: return false
        }
    }
}
