import XAICore

/// A convolution ready to run: ONNX Conv attributes, weights [M, C/group, kH, kW] (row-major,
/// so each group's filters form a [M/group, C/group*kH*kW] matrix for GEMM), optional bias [M]
/// and an optional rectifier applied in the epilogue.
struct ConvPlan {
    let attrs: Conv2D
    let inChannels: Int
    let outChannels: Int
    let weights: [Float]
    let bias: [Float]?
    var activation: FusedActivation?
    /// Filters packed for the engine's own forward GEMM (group-1 convs; PackedGEMM.swift);
    /// grouped convs use OpenBLAS.
    let packed: PackedFilters?
    /// Winograd-domain filters of 3x3 stride-1 group-1 convs (WinogradConvolution.swift).
    let winograd: WinogradFilters?
    /// W^T packed for the input gradient of group-1 convs (TransposedFilters.swift).
    let transposed: TransposedFilters?
    /// Filters by output block for DirectConvolution, packed by its first forward, and the
    /// flipped, transposed ones for the input gradient, by the first backward.
    let direct: OnFirstUse<BlockFilters>
    let directBackward: OnFirstUse<BlockFilters>

    /// `packed`, `winograd`, `transposed`, `direct`: filters already prepared for these weights (a variant of a
    /// prepared plan). `allowWinograd` false keeps a 3x3 stride-1 conv off Winograd (the reference paths).
    init(attrs: Conv2D, inChannels: Int, outChannels: Int, weights: [Float], bias: [Float]?,
         activation: FusedActivation?, packed: PackedFilters? = nil, winograd: WinogradFilters? = nil,
         transposed: TransposedFilters? = nil, direct: (OnFirstUse<BlockFilters>, OnFirstUse<BlockFilters>)? = nil,
         allowWinograd: Bool = true) {
        self.attrs = attrs
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.weights = weights
        self.bias = bias
        self.activation = activation
        self.packed = packed ?? (attrs.groups == 1
            ? PackedFilters(weights: weights, bias: bias, m: outChannels, k: weights.count / max(1, outChannels)) : nil)
        self.winograd = allowWinograd ? winograd
            ?? WinogradFilters(attrs: attrs, weights: weights, inChannels: inChannels, outChannels: outChannels) : nil
        self.transposed = transposed ?? TransposedFilters(groups: attrs.groups, weights: weights, outChannels: outChannels)
        (self.direct, self.directBackward) = direct ?? (OnFirstUse(), OnFirstUse())
    }

    var groups: Int { attrs.groups }
    var kh: Int { attrs.kernel.h }
    var kw: Int { attrs.kernel.w }
    /// Rows of one group's filter matrix: (C/group) * kH * kW.
    var groupK: Int { (inChannels / groups) * kh * kw }

    /// One filter per input channel (multiplier 1): runs on the direct depthwise kernel.
    var isDepthwise: Bool { groups > 1 && groups == inChannels && outChannels == inChannels }

    /// 1x1, stride 1, no padding: the input item already is the [C, H*W] GEMM operand.
    var isPointwise: Bool {
        kh == 1 && kw == 1 && attrs.stride == (1, 1)
            && attrs.pads == (0, 0, 0, 0)
    }

    /// Whether `forward` can add a residual in its epilogue (ResidualAdd.swift): a 1x1 group-1
    /// conv on the packed GEMM, pointwise or strided (the first block of a ResNet stage adds the
    /// stride-2 shortcut conv's output to the block's).
    var takesResidual: Bool { kh == 1 && kw == 1 && groups == 1 && packed != nil }

    /// Output spatial size, nil when the kernel does not fit.
    static func outputSize(_ a: Conv2D, h: Int, w: Int) -> (h: Int, w: Int)? {
        let extent = a.dilatedKernel
        guard let oh = slidingWindowCount(h, kernel: extent.h, stride: a.stride.h, padBegin: a.pads.top, padEnd: a.pads.bottom),
              let ow = slidingWindowCount(w, kernel: extent.w, stride: a.stride.w, padBegin: a.pads.left, padEnd: a.pads.right)
        else { return nil }
        return (oh, ow)
    }

    func outputShape(_ x: [Int]) -> [Int] {
        let o = ConvPlan.outputSize(attrs, h: x[2], w: x[3]) ?? (0, 0)
        return [x[0], outChannels, o.h, o.w]
    }

    /// Applies bias and the fused rectifier to `n` values of one output channel, 16 lanes at a
    /// time.
    @inline(__always)
    func epilogue(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, channel m: Int,
                  addBias: Bool = true) {
        typealias V = SIMD16<Float>
        let b = addBias ? bias?[m] ?? 0 : 0
        let rectify = Rectifier16(activation)
        let vb = V(repeating: b)
        var i = 0
        while i + 16 <= n {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: rectify(UnsafeRawPointer(src + i).loadUnaligned(as: V.self) + vb),
                                                        as: V.self)
            i += 16
        }
        while i < n {
            dst[i] = rectify(src[i] + b)
            i += 1
        }
    }
}
