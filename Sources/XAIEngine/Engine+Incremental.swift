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
        // Every item is a perturbation scored against the others: its algorithms must not depend
        // on how many share the call (Workspace.itemsAlike).
        let ws = Workspace(itemsAlike: true)
        ws.precision = precision
        var cropSteps = 0
        for (k, step) in steps.enumerated() {
            guard let patch = patchForward(step, values, outBase: base[step.output]!, workspace: ws) else {
                // The rest runs on full tensors, in micro-batches like any forward.
                let live = values.mapValues(\.dense)
                let keep: Set<String> = [outputName]
                let rest = try microBatch(batch: n, size: forwardMicroBatch).map { try forwardInChunks(live, chunk: $0, keep: keep, from: k) }
                    ?? forwardWhole(live, base: nil, keep: keep, from: k, itemsAlike: true)
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
        guard let first = patches.first, outBase.rank == 4 else { return nil }
        let (outH, outW) = (outBase.shape[2], outBase.shape[3])
        switch step.op {
        case .conv:
            guard let plan = step.conv else { return nil }
            let a = plan.attrs
            return windowed(first, kernel: a.kernel, stride: a.stride, dilation: a.dilation, pads: a.pads, outBase: outBase,
                            fill: 0) { plan.unpadded.forward($0, workspace: ws) }
        case let .maxPool(pool):
            var unpadded = pool
            unpadded.pads = (0, 0, 0, 0)
            unpadded.ceilMode = false
            return windowed(first, kernel: pool.kernel, stride: pool.stride, dilation: (1, 1), pads: pool.pads, outBase: outBase,
                            fill: -.infinity) { Pooling.forward(max: true, unpadded, $0) }
        case .batchNorm, .pointwise, .identity, .add, .sub, .mul, .div:
            // Elementwise with per-channel constants: the union of the operands' boxes.
            let channels = outBase.shape[1]
            for case let .constant(t) in step.operands
            where !(t.count == 1 || (t.count == channels && t.rank >= 3 && t.shape.suffix(2) == [1, 1])) {
                if case .batchNorm = step.op { continue }
                return nil
            }
            // One box size for every item: the largest union of the operands' boxes.
            var spanH = patches.map(\.h).max()!, spanW = patches.map(\.w).max()!
            var origins = first.origins
            for item in 0..<origins.count {
                let top = patches.map { $0.origins[item].y }.min()!, left = patches.map { $0.origins[item].x }.min()!
                let bottom = patches.map { $0.origins[item].y + $0.h }.max()!
                let right = patches.map { $0.origins[item].x + $0.w }.max()!
                spanH = max(spanH, bottom - top)
                spanW = max(spanW, right - left)
                origins[item] = (top, left)
            }
            guard 2 * spanH * spanW <= outH * outW,
                  patches.allSatisfy({ $0.base.shape == outBase.shape }) || patches.count == 1 else { return nil }
            origins = origins.map { (clamp($0.y, 0, outH - spanH), clamp($0.x, 0, outW - spanW)) }
            var crops = patches.map { $0.crop(origins: origins, h: spanH, w: spanW) }.makeIterator()
            let args: [Tensor] = step.operands.map { operand in
                if case let .constant(t) = operand { return t }
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
    private func windowed(_ patch: FeaturePatch, kernel: (h: Int, w: Int), stride: (h: Int, w: Int),
                          dilation: (h: Int, w: Int), pads: (top: Int, left: Int, bottom: Int, right: Int),
                          outBase: Tensor, fill: Float, run: (Tensor) -> Tensor) -> FeaturePatch? {
        let (outH, outW) = (outBase.shape[2], outBase.shape[3])
        let (spanH, spanW) = ((kernel.h - 1) * dilation.h, (kernel.w - 1) * dilation.w)
        let rows = min(outH, (patch.h - 1 + spanH) / stride.h + 1), cols = min(outW, (patch.w - 1 + spanW) / stride.w + 1)
        guard 2 * rows * cols <= outH * outW else { return nil }
        let origins = patch.origins.map { o in
            (y: clamp(ceilDiv(o.y + pads.top - spanH, stride.h), 0, outH - rows),
             x: clamp(ceilDiv(o.x + pads.left - spanW, stride.w), 0, outW - cols))
        }
        let crop = patch.crop(origins: origins.map { (y: $0.y * stride.h - pads.top, x: $0.x * stride.w - pads.left) },
                              h: (rows - 1) * stride.h + spanH + 1, w: (cols - 1) * stride.w + spanW + 1, fill: fill)
        let y = run(crop)
        guard y.shape == [patch.origins.count, outBase.shape[1], rows, cols] else { return nil }
        return FeaturePatch(base: outBase, origins: origins, h: rows, w: cols, values: y)
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
    func crop(origins cropOrigins: [(y: Int, x: Int)], h cropH: Int, w cropW: Int, fill: Float = 0,
              perItemBase: Bool = false) -> Tensor {
        let (channels, mapH, mapW) = (base.shape[1], base.shape[2], base.shape[3])
        let n = cropOrigins.count
        return Tensor(uninitialized: [n, channels, cropH, cropW]) { dst, _ in
            base.data.withUnsafeBufferPointer { bb in
                values.data.withUnsafeBufferPointer { vb in
                    Parallel.forRanges(n * channels, grain: 8) { r in
                        for t in r {
                            let item = t / channels, channel = t % channels
                            let plane = bb.baseAddress! + ((perItemBase ? item * channels : 0) + channel) * mapH * mapW
                            let patch = perItemBase ? nil : vb.baseAddress! + (item * channels + channel) * h * w
                            let o = cropOrigins[item]
                            // Columns of the crop that lie inside the map.
                            let lo = min(cropW, max(0, -o.x)), hi = max(lo, min(cropW, mapW - o.x))
                            for row in 0..<cropH {
                                let d = dst + (t * cropH + row) * cropW
                                let mapY = o.y + row
                                guard mapY >= 0, mapY < mapH, lo < hi else { d.update(repeating: fill, count: cropW); continue }
                                if lo > 0 { d.update(repeating: fill, count: lo) }
                                if hi < cropW { (d + hi).update(repeating: fill, count: cropW - hi) }
                                (d + lo).update(from: plane + mapY * mapW + o.x + lo, count: hi - lo)
                                // Overwrite the columns the item's patch covers on this row.
                                guard let patch else { continue }
                                let p = origins[item]
                                guard mapY >= p.y, mapY < p.y + h else { continue }
                                let patchLo = max(lo, p.x - o.x), patchHi = min(hi, p.x + w - o.x)
                                if patchLo < patchHi {
                                    (d + patchLo).update(from: patch + (mapY - p.y) * w + (o.x + patchLo - p.x),
                                                         count: patchHi - patchLo)
                                }
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
                        activation: activation, packed: packed, winograd: winograd,
                        transposed: transposed, direct: (direct, directBackward))
    }
}
