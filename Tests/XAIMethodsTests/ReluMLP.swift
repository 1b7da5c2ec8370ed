import XAICore
import XAIEngine

/// A two-hidden-layer ReLU MLP on a [2, 2, 2] input with seeded weights, and its input gradient
/// computed by hand under any rectifier rule: the oracle of the backpropagation variants.
struct ReluMLP {
    static let (d, h1, h2, k) = (8, 7, 6, 3)
    let w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor, w3: Tensor
    let graph: Graph

    init(_ gen: inout SeededGenerator) {
        w1 = gen.tensor([Self.h1, Self.d], scale: 1)
        w2 = gen.tensor([Self.h2, Self.h1], scale: 1)
        w3 = gen.tensor([Self.k, Self.h2], scale: 1)
        b1 = gen.tensor([Self.h1], scale: 0.3)
        b2 = gen.tensor([Self.h2], scale: 0.3)
        let gemm = Op.gemm(alpha: 1, beta: 1, transA: false, transB: true)
        graph = Graph(input: "image", inputShape: [2, 2, 2], outputs: ["logits"], nodes: [
            Node(name: "flatten", op: .flatten(axis: 1), inputs: ["image"], output: "flat"),
            Node(name: "fc1", op: gemm, inputs: ["flat", "w1", "b1"], output: "z1"),
            Node(name: "relu1", op: .relu, inputs: ["z1"], output: "a1"),
            Node(name: "fc2", op: gemm, inputs: ["a1", "w2", "b2"], output: "z2"),
            Node(name: "relu2", op: .relu, inputs: ["z2"], output: "a2"),
            Node(name: "fc3", op: .gemm(alpha: 1, beta: 0, transA: false, transB: true), inputs: ["a2", "w3"], output: "logits"),
        ], constants: ["w1": w1, "w2": w2, "w3": w3, "b1": b1, "b2": b2], source: "test-mlp")
    }

    /// d logit[target] / d x where each ReLU turns the gradient g arriving at its output into
    /// `rule(z, g)`, z being its forward input.
    func inputGradient(_ x: [Float], target: Int, rule: (_ z: Float, _ g: Float) -> Float) -> [Float] {
        func affine(_ w: Tensor, _ b: Tensor?, _ v: [Float]) -> [Float] {
            let (rows, cols) = (w.shape[0], w.shape[1])
            return (0..<rows).map { r in (0..<cols).reduce(b?.data[r] ?? 0) { $0 + w.data[r * cols + $1] * v[$1] } }
        }
        let (d, h1, h2) = (Self.d, Self.h1, Self.h2)
        let z1 = affine(w1, b1, x), a1 = z1.map { max($0, 0) }
        let z2 = affine(w2, b2, a1)
        let g2 = (0..<h2).map { rule(z2[$0], w3.data[target * h2 + $0]) }
        let g1 = (0..<h1).map { i in rule(z1[i], (0..<h2).reduce(Float(0)) { $0 + w2.data[$1 * h1 + i] * g2[$1] }) }
        return (0..<d).map { i in (0..<h1).reduce(Float(0)) { $0 + w1.data[$1 * d + i] * g1[$1] } }
    }
}
