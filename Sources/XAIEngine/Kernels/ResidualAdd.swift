import XAICore

/// A 1x1 group-1 conv whose only reader is an Add of a tensor of the same shape (the end of a
/// ResNet bottleneck, its strided shortcut, or the end of an inverted-residual block), with the rectifier after the
/// Add when that alone reads the sum: run as one step when neither intermediate is kept. The
/// product's epilogue adds the residual to each block of output while the block is in cache
/// and rectifies it (ColumnDestination.addResidual), so the conv's output is never written
/// and read back, and the Add and the rectifier make no passes of their own. The sum is the
/// separate ops' to the bit: the same float additions in the same order.
///
/// ResNet-50's 16 Adds and 16 ReLUs were 5.4% of a batch-32 forward; skipping them altogether
/// (wrong results, a bound on the gain) gave 40.9 -> 38.9 ms per image at batch 1 and 39.0 ->
/// 37.3 at batch 32. Fused (step profile, one run): a 56x56 block's conv + Add + ReLU 296 ->
/// 240 ms over 80 calls, the pass 41.0 -> 40.0 ms per image; the residual's reads, not the
/// arithmetic, are what the fused epilogue still costs.
struct ResidualAdd {
    /// The tensor the Add takes besides the conv's output.
    let residual: String
    /// The rectifier after the Add, run in the same epilogue; nil when the sum is read otherwise.
    let rectifier: FusedActivation?
    /// Steps after the conv that the fusion runs: the Add, and the rectifier when fused.
    var fusedSteps: Int { rectifier == nil ? 1 : 2 }
    /// What the step profile adds to the conv's label.
    var label: String { rectifier == nil ? " +add" : " +add +\(rectifier!.pointwise.onnxName)" }

    /// The fusion starting at conv step `i`, or nil. `readers`: the steps reading each tensor;
    /// `outputs`: the graph outputs (always kept).
    static func find(at i: Int, in steps: [Step], readers: [String: Int], outputs: [String],
                     itemShapes: [String: [Int]]) -> ResidualAdd? {
        let s = steps[i]
        guard i + 1 < steps.count, let conv = s.conv, conv.takesResidual,
              s.activation == nil, readers[s.output] == 1, !outputs.contains(s.output) else { return nil }
        let add = steps[i + 1]
        guard case .add = add.op, add.operands.count == 2, add.computedInputs.count == 2,
              add.computedInputs.filter({ $0 == s.output }).count == 1,
              let residual = add.computedInputs.first(where: { $0 != s.output }),
              itemShapes[residual] == itemShapes[s.output], itemShapes[add.output] == itemShapes[s.output] else { return nil }
        var rectifier: FusedActivation? = nil
        if i + 2 < steps.count, readers[add.output] == 1, !outputs.contains(add.output) {
            let next = steps[i + 2]
            if case let .pointwise(p) = next.op, next.computedInputs == [add.output], next.operands.count == 1 {
                rectifier = FusedActivation(fusing: p)
            }
        }
        return ResidualAdd(residual: residual, rectifier: rectifier)
    }
}

extension Optional where Wrapped == Tensor {
    /// `body` with a pointer to the tensor's values, or nil when there is no tensor.
    func withDataPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let t = self else { return body(nil) }
        return t.data.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
