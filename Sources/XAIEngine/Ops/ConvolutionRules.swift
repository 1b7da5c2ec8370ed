import XAICore

/// 2-D convolution attributes. Padding is explicit (auto_pad is resolved by the importer).
public struct Conv2D: Sendable, Equatable {
    public var kernel: (h: Int, w: Int)
    public var stride: (h: Int, w: Int)
    public var dilation: (h: Int, w: Int)
    /// top, left, bottom, right
    public var pads: (top: Int, left: Int, bottom: Int, right: Int)
    public var groups: Int

    public init(kernel: (Int, Int), stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                pads: (Int, Int, Int, Int) = (0, 0, 0, 0), groups: Int = 1) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.dilation = (dilation.0, dilation.1)
        self.pads = (pads.0, pads.1, pads.2, pads.3)
        self.groups = groups
    }

    public static func == (a: Conv2D, b: Conv2D) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.dilation == b.dilation
            && a.pads == b.pads && a.groups == b.groups
    }
}


/// Conv: shape, forward and backward rules. The weights are prepared at `Engine.init` into a
/// `ConvPlan` (BatchNormalization folded in, a following rectifier fused into its epilogue).
enum ConvolutionRules {
    /// [N, M, Ho, Wo] for input x [N, C, H, W], weight [M, C/group, kH, kW] and bias [M].
    static func outputShape<D: ShapeDimension>(_ a: Conv2D, _ x: [D], weight w: [D], bias: [D]?) throws -> [D] {
        guard x.count == 4 else { throw ShapeIssue("input must be [N, C, H, W], got \(x)") }
        guard w.count == 4 else { throw ShapeIssue("weight must be [M, C/group, kH, kW], got \(w)") }
        guard a.groups >= 1 else { throw ShapeIssue("group must be >= 1, got \(a.groups)") }
        if let c = x[1].known, let perGroup = w[1].known, c != perGroup * a.groups {
            throw ShapeIssue("input channels \(c) do not match weight \(w) with group=\(a.groups)")
        }
        if let m = w[0].known, m % a.groups != 0 {
            throw ShapeIssue("\(m) output channels are not divisible by group \(a.groups)")
        }
        if let kh = w[2].known, let kw = w[3].known, (kh, kw) != a.kernel {
            throw ShapeIssue("kernel_shape \([a.kernel.h, a.kernel.w]) does not match weight \(w)")
        }
        guard a.stride.h > 0, a.stride.w > 0, a.dilation.h > 0, a.dilation.w > 0 else {
            throw ShapeIssue("strides and dilations must be positive")
        }
        guard min(a.pads.top, a.pads.left, a.pads.bottom, a.pads.right) >= 0 else { throw ShapeIssue("negative pads") }
        if let bias {
            guard bias.count == 1 else { throw ShapeIssue("bias must be [\(w[0])], got \(bias)") }
            try D.requireSame(bias[0], w[0], "bias length and output channels")
        }
        let extent = a.dilatedKernel
        return [x[0], w[0],
                try D.windowCount(x[2], kernel: extent.h, stride: a.stride.h, padBegin: a.pads.top, padEnd: a.pads.bottom),
                try D.windowCount(x[3], kernel: extent.w, stride: a.stride.w, padBegin: a.pads.left, padEnd: a.pads.right)]
    }

    static func forward(_ plan: ConvPlan, _ x: Tensor, workspace: Workspace) -> Tensor {
        plan.forward(x, workspace: workspace)
    }

    /// dx; a fused rectifier's mask reads the same off the step's output as off its input. A
    /// depthwise conv applies the masks as its kernel moves dy and dx between layouts (its own
    /// rectifier's, and `c.inputMask`, the rectifier of its input's producer): Lite0's masks
    /// had been passes of their own over its largest tensors, 13% of a forward+backward.
    static func backward(_ plan: ConvPlan, _ dy: Tensor, _ c: BackwardContext) throws -> Tensor {
        var d = dy
        var own: (mask: GradientMask, ref: Tensor)?
        if let act = plan.activation, case .deepLift(_, .revealCancel) = c.rules {
            let r = try c.referenceValues()
            return RevealCancelRules.conv(plan, act.pointwise, dy: dy, x: try c.value(0), z: try c.preActivation(), y: try c.output(),
                                          x0: try r.value(0), z0: try r.preActivation(), y0: try r.output(),
                                          workspace: c.workspace)
        } else if let act = plan.activation, case .deepLift = c.rules {
            let r = try c.referenceValues()
            d = DeepLiftRules.rescale(act.pointwise, dy: dy, x: try c.preActivation(), y: try c.output(),
                                      x0: try r.preActivation(), y0: try r.output(), workspace: c.workspace)
        } else if let act = plan.activation, !c.gradientIsMasked {
            if plan.isDepthwise, let mask = GradientMask(act, rules: c.rules) {
                own = (mask, try c.output())
            } else {
                d = Elementwise.rectifierBackward(act, ref: try c.output(), dy: dy, rules: c.rules, workspace: c.workspace)
            }
        }
        if plan.isDepthwise {
            let masks = GradientMasks(input: own, output: try c.inputMask.map { ($0, try c.value(0)) })
            return plan.depthwiseBackwardInput(d, inputShape: c.shape(0), workspace: c.workspace, masks: masks)
        }
        return plan.backwardInput(d, inputShape: c.shape(0), workspace: c.workspace)
    }
}

extension Conv2D {
    /// Extent of the kernel with its dilation.
    var dilatedKernel: (h: Int, w: Int) {
        (dilation.h * (kernel.h - 1) + 1, dilation.w * (kernel.w - 1) + 1)
    }
}
