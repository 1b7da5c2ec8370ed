import XAICore

/// A box of rows and columns in an image or feature map.
public struct Region: Equatable, Sendable {
    public var y, x, h, w: Int
    public init(y: Int, x: Int, h: Int, w: Int) { (self.y, self.x, self.h, self.w) = (y, x, h, w) }
}

/// Incremental inference for inputs that differ from one base image only inside a box (the
/// occlusion family; Nakandala et al. 2019, "Incremental and Approximate Inference for Faster
/// Occlusion-based Deep CNN Explanations", https://arxiv.org/abs/1904.01234). Layer by layer,
/// only the part of each feature map whose receptive field meets the changed box is
/// recomputed, on crops that read the rest from the base image's activations; once that part
/// covers half a map, the batch continues as full tensors in micro-batches. Convolutions (any stride, dilation,
/// padding and groups, with their fused rectifiers), max pooling, batch norm, pointwise activations and
/// broadcast arithmetic run on crops; any other op ends the incremental part. The result is
/// the full forward's, computed on less: the early layers of a CNN, where most of the work
/// is, see a patch of a few percent of their maps.
extension Engine {
    /// Logits [n, classes] for inputs [n, C, H, W], where item i may differ from the base input
    /// only inside `regions[i]` (all regions of one size, inside the image). `base` is the
    /// forward of that one base input ([1, C, H, W]) with `retain: .all`.
    public func logits(_ inputs: Tensor, changedIn regions: [Region], base: Activations) throws -> Tensor {
        try incrementalForward(inputs, changedIn: regions, base: base).output
    }

    /// The output and the number of steps that ran on crops.
    func incrementalForward(_ inputs: Tensor, changedIn regions: [Region], base: Activations) throws -> (output: Tensor, cropSteps: Int) {
        let n = inputs.batch
        guard inputs.shape == fullShape(graph.input, batch: n), inputs.rank == 4 else {
            throw EngineError.badInput(detail: "inputs must have shape \(fullShape(graph.input, batch: n)), got \(inputs.shape)")
        }
        guard regions.count == n, let first = regions.first else {
            throw EngineError.badInput(detail: "\(regions.count) regions for \(n) inputs")
        }
        let (h, w) = (inputs.shape[2], inputs.shape[3])
        for r in regions where r.h != first.h || r.w != first.w || r.y < 0 || r.x < 0 || r.h < 1 || r.w < 1
            || r.y + r.h > h || r.x + r.w > w {
            throw EngineError.badInput(detail: "changed regions must share one size and lie inside the \(h)x\(w) input, got \(r)")
        }
        for s in steps {
            guard base[s.output]?.shape == fullShape(s.output, batch: 1) else {
                throw EngineError.badInput(detail: "base activations lack '\(s.output)' for batch 1 (run the base forward with retain: .all)")
            }
        }
        guard let baseInput = base[graph.input], baseInput.shape == fullShape(graph.input, batch: 1) else {
            throw EngineError.badInput(detail: "base activations lack the input '\(graph.input)' for batch 1")
        }
        let origins = regions.map { (y: $0.y, x: $0.x) }
        let inputPatch = FeaturePatch(base: baseInput, origins: origins, h: first.h, w: first.w)
        var values: [String: FeaturePatch] = [graph.input: inputPatch.cropping(full: inputs)]
        var lastUse: [String: Int] = [:]
        for (k, s) in steps.enumerated() { for name in s.computedInputs { lastUse[name] = k } }
        let ws = Workspace()
        var cropSteps = 0
        for (k, step) in steps.enumerated() {
            guard let patch = patchForward(step, values, outBase: base[step.output]!, workspace: ws) else {
                // The rest runs on full tensors, in micro-batches like any forward.
                let live = values.mapValues(\.dense)
                let keep: Set<String> = [outputName]
                let rest = try microBatch(batch: n).map { try forwardInChunks(live, chunk: $0, keep: keep, from: k) }
                    ?? forwardWhole(live, base: nil, keep: keep, from: k)
                return (rest.output, cropSteps)
            }
            values[step.output] = patch
            cropSteps += 1
            for name in step.computedInputs where lastUse[name] == k && name != outputName { values.removeValue(forKey: name) }
        }
        return (values[outputName]!.dense, cropSteps)
    }

    /// The step on crops, or nil when it must run on full tensors.
    private func patchForward(_ step: Step, _ values: [String: FeaturePatch], outBase: Tensor,
                              workspace ws: Workspace) -> FeaturePatch? {
        let patches = step.computedInputs.map { values[$0]! }
        guard let p = patches.first, outBase.rank == 4 else { return nil }
        let (ho, wo) = (outBase.shape[2], outBase.shape[3])
        switch step.op {
        case .conv:
            guard let plan = step.conv else { return nil }
            let a = plan.attrs
            return windowed(p, kernel: a.kernel, stride: a.stride, dilation: a.dilation, pads: a.pads, outBase: outBase,
                            fill: 0) { plan.unpadded.forward($0, workspace: ws) }
        case let .maxPool(pool):
            var unpadded = pool
            unpadded.pads = (0, 0, 0, 0)
            unpadded.ceilMode = false
            return windowed(p, kernel: pool.kernel, stride: pool.stride, dilation: (1, 1), pads: pool.pads, outBase: outBase,
                            fill: -.infinity) { Pooling.forward(max: true, unpadded, $0) }
        case .batchNorm, .relu, .clip, .leakyRelu, .sigmoid, .hardSigmoid, .hardSwish, .tanh, .identity,
             .add, .sub, .mul, .div:
            // Elementwise with per-channel constants: the union of the operands' boxes.
            let c = outBase.shape[1]
            for case let .constant(t) in step.operands where !(t.count == 1 || (t.count == c && t.rank >= 3 && t.shape.suffix(2) == [1, 1])) {
                if case .batchNorm = step.op { continue }
                return nil
            }
            let uh = patches.map(\.h).max()!, uw = patches.map(\.w).max()!
            var origins = p.origins
            var spanH = uh, spanW = uw
            for i in 0..<origins.count {
                let top = patches.map { $0.origins[i].y }.min()!, left = patches.map { $0.origins[i].x }.min()!
                let bottom = patches.map { $0.origins[i].y + $0.h }.max()!, right = patches.map { $0.origins[i].x + $0.w }.max()!
                spanH = max(spanH, bottom - top); spanW = max(spanW, right - left)
                origins[i] = (top, left)
            }
            guard 2 * spanH * spanW <= ho * wo, patches.allSatisfy({ $0.base.shape == outBase.shape }) || patches.count == 1 else { return nil }
            origins = origins.map { (clamp($0.y, 0, ho - spanH), clamp($0.x, 0, wo - spanW)) }
            var crops = patches.map { $0.crop(origins: origins, h: spanH, w: spanW) }.makeIterator()
            let args: [Tensor] = step.operands.map { op in
                if case let .constant(t) = op { return t }
                return crops.next()!
            }
            return FeaturePatch(base: outBase, origins: origins, h: spanH, w: spanW, values: step.forward(args, workspace: ws))
        default:
            return nil
        }
    }

    /// A sliding-window op (conv, max pool) on the outputs whose windows meet the changed box:
    /// at most (h - 1 + span) / stride + 1 rows of them wherever the box lies, so one box size
    /// serves every item. `run` applies the op without padding to crops that hold their border
    /// (`fill` outside the map).
    private func windowed(_ p: FeaturePatch, kernel: (h: Int, w: Int), stride: (h: Int, w: Int), dilation: (h: Int, w: Int),
                          pads: (top: Int, left: Int, bottom: Int, right: Int), outBase: Tensor, fill: Float,
                          run: (Tensor) -> Tensor) -> FeaturePatch? {
        let (ho, wo) = (outBase.shape[2], outBase.shape[3])
        let (spanH, spanW) = ((kernel.h - 1) * dilation.h, (kernel.w - 1) * dilation.w)
        let oh = min(ho, (p.h - 1 + spanH) / stride.h + 1), ow = min(wo, (p.w - 1 + spanW) / stride.w + 1)
        guard 2 * oh * ow <= ho * wo else { return nil }
        let origins = p.origins.map { o in
            (y: clamp(ceilDiv(o.y + pads.top - spanH, stride.h), 0, ho - oh),
             x: clamp(ceilDiv(o.x + pads.left - spanW, stride.w), 0, wo - ow))
        }
        let crop = p.crop(origins: origins.map { (y: $0.y * stride.h - pads.top, x: $0.x * stride.w - pads.left) },
                          h: (oh - 1) * stride.h + spanH + 1, w: (ow - 1) * stride.w + spanW + 1, fill: fill)
        let y = run(crop)
        guard y.shape == [p.origins.count, outBase.shape[1], oh, ow] else { return nil }
        return FeaturePatch(base: outBase, origins: origins, h: oh, w: ow, values: y)
    }
}

@inline(__always) private func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { min(max(v, lo), max(lo, hi)) }
@inline(__always) private func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }

/// A batch of feature maps [n, C, H, W] held as the base image's map [1, C, H, W] plus, per
/// item, the values of an h x w box at that item's origin.
struct FeaturePatch {
    let base: Tensor
    let origins: [(y: Int, x: Int)]
    let h, w: Int
    /// [n, C, h, w]; empty until set.
    var values: Tensor

    init(base: Tensor, origins: [(y: Int, x: Int)], h: Int, w: Int, values: Tensor = Tensor(zeros: [0])) {
        self.base = base
        self.origins = origins
        self.h = h
        self.w = w
        self.values = values
    }

    /// This patch's boxes read out of full tensors [n, C, H, W].
    func cropping(full: Tensor) -> FeaturePatch {
        var p = self
        p.values = FeaturePatch(base: full, origins: [], h: 0, w: 0).crop(origins: origins, h: h, w: w, perItemBase: true)
        return p
    }

    /// Boxes of h x w at `origins` (which may reach outside the map: `fill` there), read from
    /// the item's patch where it covers them and from the base elsewhere. With `perItemBase`
    /// the base itself holds one map per item (no patch).
    func crop(origins cropOrigins: [(y: Int, x: Int)], h ch: Int, w cw: Int, fill: Float = 0,
              perItemBase: Bool = false) -> Tensor {
        let (c, fh, fw) = (base.shape[1], base.shape[2], base.shape[3])
        let n = cropOrigins.count
        return Tensor(uninitialized: [n, c, ch, cw]) { dst, _ in
            base.data.withUnsafeBufferPointer { bb in
                values.data.withUnsafeBufferPointer { vb in
                    Parallel.forRanges(n * c, grain: 8) { r in
                        for t in r {
                            let i = t / c, ch0 = t % c
                            let plane = bb.baseAddress! + ((perItemBase ? i * c : 0) + ch0) * fh * fw
                            let patch = perItemBase ? nil : vb.baseAddress! + (i * c + ch0) * h * w
                            let o = cropOrigins[i]
                            let lo = min(cw, max(0, -o.x)), hi = max(lo, min(cw, fw - o.x))
                            for row in 0..<ch {
                                let d = dst + (t * ch + row) * cw
                                let fy = o.y + row
                                guard fy >= 0, fy < fh, lo < hi else { d.update(repeating: fill, count: cw); continue }
                                if lo > 0 { d.update(repeating: fill, count: lo) }
                                if hi < cw { (d + hi).update(repeating: fill, count: cw - hi) }
                                (d + lo).update(from: plane + fy * fw + o.x + lo, count: hi - lo)
                                // Overwrite the columns the item's patch covers on this row.
                                guard let patch else { continue }
                                let p = origins[i]
                                guard fy >= p.y, fy < p.y + h else { continue }
                                let plo = max(lo, p.x - o.x), phi = min(hi, p.x + w - o.x)
                                if plo < phi { (d + plo).update(from: patch + (fy - p.y) * w + (o.x + plo - p.x), count: phi - plo) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The full maps [n, C, H, W].
    var dense: Tensor {
        crop(origins: Array(repeating: (y: 0, x: 0), count: origins.count), h: base.shape[2], w: base.shape[3])
    }
}

extension ConvPlan {
    /// The same convolution without padding, for crops that already hold their border.
    var unpadded: ConvPlan {
        var a = attrs
        a.pads = (0, 0, 0, 0)
        return ConvPlan(attrs: a, inChannels: inChannels, outChannels: outChannels, weights: weights, bias: bias,
                        activation: activation, packed: packed)
    }
}
