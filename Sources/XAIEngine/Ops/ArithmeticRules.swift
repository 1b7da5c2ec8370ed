import XAICore

/// Add, Sub, Mul and Div with numpy-style broadcasting: shape, forward and backward rules.
/// A gradient is summed back over the axes its operand was broadcast along.
enum ArithmeticRules {
    static func outputShape<D: ShapeDimension>(_ a: [D], _ b: [D]) throws -> [D] {
        guard let out = D.broadcast(a, b) else {
            throw ShapeIssue("shapes \(a) and \(b) cannot be broadcast together")
        }
        return out
    }

    static func forward(_ op: Broadcast.BinaryOp, _ x: [Tensor], workspace: Workspace) -> Tensor {
        Broadcast.binary(op, x[0], x[1], workspace: workspace)!
    }

    /// Gradients w.r.t. both operands, nil where `need` is false.
    static func backward(_ op: Broadcast.BinaryOp, _ dy: Tensor, need: [Bool], _ c: BackwardContext) throws -> [Tensor?] {
        var g: [Tensor?] = [nil, nil]
        switch op {
        case .add, .sub:
            if need[0] { g[0] = Broadcast.reduce(dy, to: c.shape(0)) }
            if need[1] {
                let r = Broadcast.reduce(dy, to: c.shape(1))
                g[1] = op == .sub ? r.map { -$0 } : r
            }
        case .mul:
            if need[0] { g[0] = Broadcast.reduce(Broadcast.binary(.mul, dy, try c.value(1))!, to: c.shape(0)) }
            if need[1] { g[1] = Broadcast.reduce(Broadcast.binary(.mul, dy, try c.value(0))!, to: c.shape(1)) }
        case .div:
            let b = try c.value(1)
            let q = Broadcast.binary(.div, dy, b)!           // dy / b
            if need[0] { g[0] = Broadcast.reduce(q, to: c.shape(0)) }
            if need[1] {                                        // -dy * a / b^2 = -(dy / b) * (a / b)
                let ab = Broadcast.binary(.div, try c.value(0), b)!
                g[1] = Broadcast.reduce(Broadcast.binary(.mul, q, ab)!, to: c.shape(1)).map { -$0 }
            }
        }
        return g
    }
}
