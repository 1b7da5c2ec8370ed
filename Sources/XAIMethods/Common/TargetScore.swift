import XAICore
import XAIEngine

/// The score a gradient method differentiates: the target class logit (the pre-softmax output,
/// as Captum and the papers use). Seeds for `Engine.gradients` are one-hot rows on the logits.
enum TargetScore {
    /// d(logit[target]) / d(logits) for a batch of `n`: [n, classes], 1 at `target`.
    static func seed(batch n: Int, classes: Int, target: Int) -> Tensor {
        var s = Tensor(zeros: [n, classes])
        for i in 0..<n { s.data[i * classes + target] = 1 }
        return s
    }

    /// Throws unless `target` is a valid class of `engine`.
    static func check(_ target: Int, engine: Engine, method: MethodKind) throws {
        guard target >= 0, target < engine.classCount else {
            throw MethodError.invalidParameter(method: method.rawValue, parameter: "target",
                                               detail: "class \(target) is out of range; the model has \(engine.classCount) classes (0...\(engine.classCount - 1))")
        }
    }

    /// `logits[i, target]` for every item.
    static func values(_ logits: Tensor, target: Int) -> [Float] {
        let k = logits.shape[1]
        return (0..<logits.shape[0]).map { logits.data[$0 * k + target] }
    }

    /// Forward with every tensor retained, then the gradient of the target logit w.r.t. `wrt`.
    static func gradients(engine: Engine, input: Tensor, target: Int, wrt: [String],
                          rules: BackwardRules = .standard) throws -> (activations: Activations, grads: [String: Tensor]) {
        let acts = try engine.forward(input, retain: .all)
        let seed = seed(batch: input.shape[0], classes: engine.classCount, target: target)
        let grads = try engine.gradients(acts, seeds: [engine.outputName: seed], wrt: wrt, rules: rules)
        return (acts, grads)
    }

    /// The gradient of the target logit w.r.t. the input, without the activations (the engine
    /// then runs the batch as micro-batches, one per core).
    static func inputGradients(engine: Engine, input: Tensor, target: Int,
                               rules: BackwardRules = .standard) throws -> Tensor {
        let seed = seed(batch: input.batch, classes: engine.classCount, target: target)
        let name = engine.graph.input
        guard let g = try engine.gradients(of: input, logitSeeds: seed, wrt: [name], rules: rules)[name] else {
            throw EngineError.badInput(detail: "the engine returned no gradient for its input '\(name)'")
        }
        return g
    }
}
