import XAICore

extension Engine {
    /// Batched forward pass. `input` is [N, C, H, W] (N >= 1, per-item shape `graph.inputShape`).
    /// Use `retain: .all` when gradients will be taken from the result.
    public func forward(_ input: Tensor, retain: Retention = .outputs) throws -> Activations {
        try forward(replacing: [graph.input: input], base: nil, retain: retain)
    }

    /// Logits [N, classes] for a batch [N, C, H, W].
    public func logits(_ input: Tensor) throws -> Tensor {
        try forward(input).output
    }

    /// Sub-graph evaluation: runs only the steps downstream of the replaced tensors (e.g. from
    /// "head" [N, 1280, 7, 7] to the logits) on the given values. Other tensors such a step
    /// reads are taken from `base` (an error names any that is missing). All replacements share
    /// one batch size N; base tensors that are read must have batch N too.
    public func forward(replacing: [String: Tensor], base: Activations? = nil, retain: Retention = .outputs) throws -> Activations {
        guard let first = replacing.first else { throw EngineError.badInput(detail: "forward(replacing:) needs at least one tensor") }
        let n = first.value.batch
        for (name, t) in replacing {
            guard itemShapes[name] != nil else { throw unknown(name) }
            let want = fullShape(name, batch: n)
            guard t.shape == want else {
                throw EngineError.badInput(detail: "tensor '\(name)' must have shape \(want) (batch \(n)), got \(t.shape)")
            }
        }
        let keep = try retainedNames(retain)
        if base == nil, let keep, let chunk = microBatch(batch: n, size: forwardMicroBatch) {
            return try forwardInChunks(replacing, chunk: chunk, keep: keep)
        }
        if case .allWithPreActivations = retain {
            return try forwardWhole(replacing, base: base, keep: keep, preActivations: true)
        }
        return try forwardWhole(replacing, base: base, keep: keep)
    }

    /// One pass over the whole batch, each op parallel across the cores.
    /// `from`: the first step that may run (the caller ran the ones before it); `until`: the
    /// first that may not. `preActivations`: run fused rectifiers after their conv and keep
    /// their inputs.
    func forwardWhole(_ replacing: [String: Tensor], base: Activations?, keep: Set<String>?, from: Int = 0,
                      until: Int? = nil, preActivations: Bool = false, itemsAlike: Bool = false) throws -> Activations {
        let n = replacing.first!.value.batch
        // Steps downstream of the replacements, and the tensors they need from `base`.
        var dirty = Set(replacing.keys)
        var run: [Int] = []
        let end = min(until ?? steps.count, steps.count)
        for i in from..<max(from, end) where replacing[steps[i].output] == nil {
            if steps[i].computedInputs.contains(where: dirty.contains) {
                run.append(i)
                dirty.insert(steps[i].output)
            }
        }
        var values = replacing
        for i in run {
            for name in steps[i].computedInputs where values[name] == nil && !dirty.contains(name) {
                guard let t = base?[name] else {
                    throw EngineError.badInput(detail: "the sub-graph needs tensor '\(name)', which is neither replaced nor in the base activations (run the base forward with retain: .all or .outputsAnd([\"\(name)\"]))")
                }
                guard t.shape == fullShape(name, batch: n) else {
                    throw EngineError.badInput(detail: "base tensor '\(name)' has shape \(t.shape) but the replacements have batch \(n)")
                }
                values[name] = t
            }
        }
        var lastUse: [String: Int] = [:]
        for (k, i) in run.enumerated() { for name in steps[i].computedInputs { lastUse[name] = k } }
        let computedHere = Set(run.map { steps[$0].output })

        let ws = Workspace(exactLocality: preActivations, itemsAlike: itemsAlike)
        ws.precision = precision
        // The residual Add after conv step `i` (at `k` in `run`) that this pass may fuse: none
        // when the conv's output is kept, without the rectifier when the sum is.
        func residualAdd(at i: Int, position k: Int) -> ResidualAdd? {
            guard let r = residualAdds[i], let keep, !keep.contains(steps[i].output), k + 1 < run.count,
                  run[k + 1] == i + 1 else { return nil }
            if r.rectifier != nil, keep.contains(steps[i + 1].output) || k + 2 >= run.count || run[k + 2] != i + 2 {
                return ResidualAdd(residual: r.residual, rectifier: nil)
            }
            return r
        }
        var skip = 0
        var pre: [String: Tensor] = [:]
        for (k, i) in run.enumerated() {
            if skip > 0 {
                skip -= 1
                continue
            }
            let step = steps[i]
            let args: [Tensor] = step.operands.map { op in
                switch op {
                case let .constant(c): return c
                case let .computed(name): return values[name]!
                }
            }
            // A conv whose output is not kept may run with the depthwise conv after it as one step.
            if let fused = expandDepthwise[i], let keep, !keep.contains(step.output), k + 1 < run.count, run[k + 1] == i + 1 {
                // With the depthwise output not kept, the projection after it joins the step.
                if var project = pairedProjections[i], !keep.contains(steps[i + 1].output),
                   k + 2 < run.count, run[k + 2] == i + 2 {
                    let add = residualAdd(at: i + 2, position: k + 2)
                    skip = 2 + (add?.fusedSteps ?? 0)
                    if let add { project.activation = add.rectifier }
                    // Labels are built only when profiling.
                    let label = { step.profileLabel(i, args) + " +depthwise +project" + (add?.label ?? "") }
                    values[steps[i + skip].output] = StepProfile.measure(label()) {
                        fused.forwardProjected(args[0], project: project, residual: add.map { values[$0.residual]! }, workspace: ws)
                    }
                } else {
                    values[steps[i + 1].output] = StepProfile.measure(step.profileLabel(i, args) + " +depthwise") {
                        fused.forward(args[0], workspace: ws)
                    }
                    skip = 1
                }
            } else if let add = residualAdd(at: i, position: k), var plan = step.conv {
                plan.activation = add.rectifier
                skip = add.fusedSteps
                let label = { step.profileLabel(i, args) + add.label }
                // The sum goes into the residual's storage when this pass computed the residual,
                // nothing reads it later and the conv does not read it (ConvPlan.forward(_:accumulatingInto:)).
                let r = add.residual
                if ws.precision == .fp32, computedHere.contains(r), keep?.contains(r) == false, lastUse[r]! <= k + skip,
                   !step.computedInputs.contains(r), var sum = values.removeValue(forKey: r) {
                    values[steps[i + skip].output] = StepProfile.measure(label()) {
                        plan.forward(args[0], workspace: ws, accumulatingInto: &sum)
                        return sum
                    }
                } else {
                    values[steps[i + skip].output] = StepProfile.measure(label()) {
                        plan.forward(args[0], workspace: ws, residual: values[r]!)
                    }
                }
            } else if preActivations, var plain = step.conv, let act = plain.activation {
                plain.activation = nil
                let x = plain.forward(args[0], workspace: ws)
                pre[step.output] = x
                values[step.output] = act.pointwise.forward(x)
            } else {
                values[step.output] = StepProfile.measure(step.profileLabel(i, args)) { step.forward(args, workspace: ws) }
            }
            // Inputs last read by this step or by the steps fused into it.
            for position in k...(k + skip) {
                for name in steps[run[position]].computedInputs where lastUse[name] == position && !(keep?.contains(name) ?? true) {
                    values.removeValue(forKey: name)
                }
            }
        }
        if let keep {
            values = values.filter { keep.contains($0.key) }
            for name in keep where values[name] == nil {
                if let t = base?[name], t.batch == n { values[name] = t }
            }
        }
        var result = Activations(values: values, outputName: outputName, order: order)
        result.preActivations = pre
        return result
    }

    /// Names to keep, nil meaning all.
    func retainedNames(_ r: Retention) throws -> Set<String>? {
        switch r {
        case .all, .allWithPreActivations: return nil
        case .outputs: return Set(graph.outputs)
        case let .outputsAnd(extra):
            for name in extra where itemShapes[name] == nil { throw unknown(name) }
            return Set(graph.outputs).union(extra)
        }
    }
}
