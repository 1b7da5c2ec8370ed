import XAICore

/// 2-D pooling attributes. Padding is explicit.
public struct Pool2D: Sendable, Equatable {
    public var kernel: (h: Int, w: Int)
    public var stride: (h: Int, w: Int)
    public var pads: (top: Int, left: Int, bottom: Int, right: Int)
    public var ceilMode: Bool
    /// AveragePool only: whether padded cells count in the divisor.
    public var countIncludePad: Bool

    public init(kernel: (Int, Int), stride: (Int, Int), pads: (Int, Int, Int, Int) = (0, 0, 0, 0),
                ceilMode: Bool = false, countIncludePad: Bool = false) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.pads = (pads.0, pads.1, pads.2, pads.3)
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    public static func == (a: Pool2D, b: Pool2D) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.pads == b.pads
            && a.ceilMode == b.ceilMode && a.countIncludePad == b.countIncludePad
    }
}

/// MaxPool, AveragePool and GlobalAveragePool: shape, forward and backward rules.
enum PoolingRules {
    /// [N, C, Ho, Wo] for x [N, C, H, W].
    static func outputShape<D: ShapeDimension>(_ p: Pool2D, _ x: [D]) throws -> [D] {
        guard x.count == 4 else { throw ShapeIssue("input must be [N, C, H, W], got \(x)") }
        guard p.kernel.h > 0, p.kernel.w > 0, p.stride.h > 0, p.stride.w > 0 else {
            throw ShapeIssue("kernel and strides must be positive")
        }
        let pads = [p.pads.top, p.pads.left, p.pads.bottom, p.pads.right]
        guard pads.allSatisfy({ $0 >= 0 }), p.pads.top < p.kernel.h, p.pads.bottom < p.kernel.h,
              p.pads.left < p.kernel.w, p.pads.right < p.kernel.w else {
            throw ShapeIssue("pads \(pads) must be non-negative and smaller than the kernel")
        }
        return [x[0], x[1],
                try D.windowCount(x[2], kernel: p.kernel.h, stride: p.stride.h, padBegin: p.pads.top,
                                  padEnd: p.pads.bottom, ceil: p.ceilMode),
                try D.windowCount(x[3], kernel: p.kernel.w, stride: p.stride.w, padBegin: p.pads.left,
                                  padEnd: p.pads.right, ceil: p.ceilMode)]
    }

    /// [N, C, 1, ...] for x [N, C, spatial...].
    static func globalOutputShape<D: ShapeDimension>(_ x: [D]) throws -> [D] {
        guard x.count >= 3 else { throw ShapeIssue("input must be [N, C, spatial...], got \(x)") }
        return [x[0], x[1]] + [D](repeating: D.value(1), count: x.count - 2)
    }

    static func forward(max: Bool, _ p: Pool2D, _ x: Tensor) -> Tensor {
        Pooling.forward(max: max, p, x)
    }

    /// dx; max pooling routes dy to each window's first maximum of the forward input.
    static func backward(max: Bool, _ p: Pool2D, _ dy: Tensor, _ c: BackwardContext) throws -> Tensor {
        if max, case .deepLift = c.rules {
            let r = try c.referenceValues()
            return DeepLiftRules.maxPool(p, dy: dy, x: try c.value(0), y: try c.output(), x0: try r.value(0), y0: try r.output())
        }
        return Pooling.backward(max: max, p, x: max ? try c.value(0) : nil, inputShape: c.shape(0), dy: dy)
    }

    static func globalForward(_ x: Tensor) -> Tensor {
        Pooling.globalAverage(x)
    }

    static func globalBackward(_ dy: Tensor, _ c: BackwardContext) -> Tensor {
        Pooling.globalAverageBackward(inputShape: c.shape(0), dy: dy)
    }
}
