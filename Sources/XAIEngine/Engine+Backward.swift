import XAICore

extension Engine {
    /// Reverse mode. `seeds` give d(scalar)/d(tensor) for some tensors (usually the logits,
    /// [N, classes]); the result holds d(scalar)/d(tensor) for every name in `wrt` (the graph
    /// input and/or intermediate tensors, exact names), zero where a tensor does not influence
    /// the seeds. `activations` must come from `forward(_:retain: .all)` (or hold every tensor
    /// the backward rules read). Weight gradients are never computed.
    public func gradients(_ activations: Activations, seeds: [String: Tensor], wrt: [String],
                          rules: BackwardRules = .standard) throws -> [String: Tensor] {
        guard let firstSeed = seeds.first else { throw EngineError.badInput(detail: "gradients need at least one seed") }
        let n = firstSeed.value.batch
        for (name, t) in seeds {
            guard itemShapes[name] != nil else { throw unknown(name) }
            guard t.shape == fullShape(name, batch: n) else {
                throw EngineError.badInput(detail: "seed for '\(name)' must have shape \(fullShape(name, batch: n)), got \(t.shape)")
            }
        }
        for name in wrt where itemShapes[name] == nil { throw unknown(name) }

        // Tensors that depend on a `wrt` tensor: only these need gradients.
        var needsGrad = Set(wrt)
        for s in steps where s.computedInputs.contains(where: needsGrad.contains) { needsGrad.insert(s.output) }
        let wanted = Set(wrt)

        var grads: [String: Tensor] = seeds
        // Reveal-cancel: multipliers of a tensor's negative part where they differ from `grads`.
        var negatives: [String: Tensor] = [:]
        let ws = Workspace()
        var reference: Activations?
        if case let .deepLift(r, _) = rules { reference = r }
        func producing(_ name: String) -> Step? { producer[name].map { steps[$0] } }
        // Tensors whose producer's rectifier mask their reader applied already.
        var premasked = Set<String>()
        for (index, step) in steps.enumerated().reversed() {
            guard let dy = grads[step.output] else { continue }
            let negative = negatives.removeValue(forKey: step.output)
            let need = step.operands.map { $0.name.map(needsGrad.contains) ?? false }
            if !wanted.contains(step.output) {
                grads[step.output] = nil
            } else if let negative, let reference {
                grads[step.output] = try RevealCancelRules.collapse(plus: dy, minus: negative, activations, reference, step.output)
            }
            guard need.contains(true) else { continue }
            let pass = forwardValues(of: step, in: activations, batch: n, pass: "activation")
            let referencePass = reference.map { forwardValues(of: step, in: $0, batch: n, pass: "reference activation") }
            var ctx = BackwardContext(
                value: pass.value,
                shape: { i in
                    switch step.operands[i] {
                    case let .constant(c): return c.shape
                    case let .computed(name): return self.fullShape(name, batch: n)
                    }
                },
                output: pass.output, preActivation: pass.preActivation, rules: rules, workspace: ws,
                reference: referencePass)
            ctx.negative = negative
            ctx.gradientIsMasked = premasked.contains(step.output)
            if need[0], step.conv?.isDepthwise == true, let input = step.operands.first?.name, readers[input] == 1,
               !wanted.contains(input), seeds[input] == nil, let act = producing(input)?.conv?.activation,
               let mask = GradientMask(act, rules: rules) {
                ctx.inputMask = mask
                premasked.insert(input)
            }
            if let reference, let referencePass, let input = step.operands.first?.name {
                ctx.inputSpread = {
                    guard let p = producing(input) else {
                        return RevealCancelRules.spread(ofInput: try pass.value(0), try referencePass.value(0))
                    }
                    return try RevealCancelRules.spread(
                        of: p, self.forwardValues(of: p, in: activations, batch: n, pass: "activation"),
                        self.forwardValues(of: p, in: reference, batch: n, pass: "reference activation"),
                        activation: step, workspace: ws)
                }
            }
            let (g, minus) = try StepProfile.measure("backward " + step.profileLabel(index, [dy])) {
                try step.backward(dy, need: need, ctx)
            }
            for (i, gi) in g.enumerated() {
                guard let gi, let name = step.operands[i].name else { continue }
                // A negative part's multipliers start from those the tensor had for both parts.
                if let minus = i == 0 ? minus : nil {
                    var acc = negatives.removeValue(forKey: name) ?? grads[name] ?? Tensor(zeros: gi.shape)
                    acc.add(minus)
                    negatives[name] = acc
                } else if var acc = negatives.removeValue(forKey: name) {
                    acc.add(gi)
                    negatives[name] = acc
                }
                if var acc = grads[name] {
                    grads[name] = nil   // keep `acc` uniquely referenced for the in-place add
                    StepProfile.measure("backward: summing a fan-out's gradients") { acc.add(gi) }
                    grads[name] = acc
                } else {
                    grads[name] = gi
                }
            }
        }
        var result: [String: Tensor] = [:]
        for name in wrt {
            if let minus = negatives[name], let plus = grads[name], let reference {
                grads[name] = try RevealCancelRules.collapse(plus: plus, minus: minus, activations, reference, name)
            }
            result[name] = grads[name] ?? Tensor(zeros: fullShape(name, batch: n))
        }
        return result
    }

    /// A step's values in one forward pass, fetched when a rule reads them and checked for batch `n`.
    private func forwardValues(of step: Step, in a: Activations, batch n: Int, pass: String) -> BackwardContext.ForwardValues {
        func checked(_ t: Tensor?, _ name: String, how: String) throws -> Tensor {
            guard let t else {
                throw EngineError.badInput(detail: "gradients need the \(pass) '\(name)'; run forward(_:retain: \(how)) first")
            }
            guard t.batch == n else {
                throw EngineError.badInput(detail: "\(pass) '\(name)' has batch \(t.batch) but the seeds have batch \(n)")
            }
            return t
        }
        return BackwardContext.ForwardValues(
            value: { i in
                switch step.operands[i] {
                case let .constant(c): return c
                case let .computed(name): return try checked(a[name], name, how: ".all")
                }
            },
            output: { try checked(a[step.output], step.output, how: ".all") },
            preActivation: {
                try checked(a.preActivation(step.output), "input of the rectifier fused into \(step.output)", how: ".allWithPreActivations")
            })
    }
}

extension Tensor {
    /// self += other (same element count).
    mutating func add(_ other: Tensor) {
        data.withUnsafeMutableBufferPointer { a in
            other.data.withUnsafeBufferPointer { b in
                let ap = a.baseAddress!, bp = b.baseAddress!
                Parallel.forRanges(a.count, grain: Elementwise.grain) { r in
                    for i in r { ap[i] += bp[i] }
                }
            }
        }
    }
}
