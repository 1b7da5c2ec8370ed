import XAICore
import XAIEngine

/// Model-parameter randomisation for the sanity check of Adebayo et al. (2018): an explanation
/// that does not change when the trained weights are replaced by random ones cannot be
/// explaining what the model learnt.
public enum ModelRandomization {
    /// Names of the nodes with learnt weights (Conv, Gemm, MatMul with a constant operand), from
    /// the output towards the input: the order in which a cascading randomisation proceeds.
    public static func parametrisedLayers(_ graph: Graph) -> [String] {
        graph.nodes.reversed().filter { !weightSlots($0, graph).isEmpty }.map(\.name)
    }

    /// A copy of `graph` whose last `layers` parametrised layers (see `parametrisedLayers`) have
    /// their weights and biases replaced by seeded Gaussian values with the same standard
    /// deviation as the trained tensor (so activations keep their scale; a tensor with zero
    /// spread gets He scaling sqrt(2 / fan-in) for weights and stays zero for biases).
    /// BatchNormalization statistics are kept. `layers` beyond the number of parametrised
    /// layers randomises all of them; a negative count is an error.
    public static func cascading(graph: Graph, layers: Int, seed: UInt64) throws -> Graph {
        guard layers >= 0 else {
            throw MethodError.invalidParameter(method: "sanity_randomization", parameter: "layers",
                                               detail: "the number of layers to randomise must be >= 0, got \(layers)")
        }
        let chosen = Set(parametrisedLayers(graph).prefix(layers))
        var out = graph
        for (index, node) in graph.nodes.enumerated() where chosen.contains(node.name) {
            var newNode = node
            for slot in weightSlots(node, graph) {
                let name = node.inputs[slot]
                guard let t = graph.constants[name] else { continue }
                var rng = SeededRandom(seed: seed, stream: UInt64(index) &* 16 &+ UInt64(slot))
                let randomized = Tensor(shape: t.shape, data: rng.normals(t.count, std: spread(of: t, isWeight: slot == 1)))
                var newName = "\(name)/randomized"
                while out.constants[newName] != nil { newName += "_" }
                out.constants[newName] = randomized
                newNode.inputs[slot] = newName
            }
            out.nodes[index] = newNode
        }
        return out
    }

    /// Input slots of `node` holding learnt constants.
    static func weightSlots(_ node: Node, _ graph: Graph) -> [Int] {
        switch node.op {
        case .conv, .gemm, .matMul:
            return node.inputs.indices.filter { $0 >= 1 && graph.constants[node.inputs[$0]] != nil }
        default:
            return []
        }
    }

    /// Standard deviation of `t`, or a fallback when it is 0.
    static func spread(of t: Tensor, isWeight: Bool) -> Float {
        let n = Double(max(t.count, 1))
        let mean = t.data.reduce(0.0) { $0 + Double($1) } / n
        let variance = t.data.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        if variance > 0 { return Float(variance.squareRoot()) }
        guard isWeight, t.rank >= 2 else { return 0 }
        let fanIn = t.count / t.shape[0]
        return Float((2.0 / Double(max(fanIn, 1))).squareRoot())
    }
}
