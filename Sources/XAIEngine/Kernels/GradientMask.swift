import XAICore

/// A rectifier's backward rule where it is a mask: dx = dy where lo < ref < hi (and dy > 0 when
/// `positiveOnly`, guided backpropagation), else +0, with `ref` the rectifier's forward input or
/// output (the same cells pass either way). One formula, in vector and scalar form, for the mask
/// pass (`Elementwise.mask`) and for the depthwise kernels that apply it while they move a
/// gradient between layouts (`MaskedPlanes`): either way a cell gets the same bits, so where the
/// mask is applied does not change a result.
struct GradientMask {
    let lo: Float
    let hi: Float
    let positiveOnly: Bool

    /// The mask of `act` under `rules`; nil where that rule is not a mask (DeconvNet, DeepLIFT,
    /// the leaky rectifier's standard rule).
    init?(_ act: FusedActivation, rules: BackwardRules) {
        switch (rules, act) {
        case (.standard, .relu): (lo, hi, positiveOnly) = (0, .infinity, false)
        case let (.standard, .clip(min, max)): (lo, hi, positiveOnly) = (min, max, false)
        case (.guided, .relu), (.guided, .leakyRelu): (lo, hi, positiveOnly) = (0, .infinity, true)
        case let (.guided, .clip(min, max)): (lo, hi, positiveOnly) = (min, max, true)
        default: return nil
        }
    }

    /// `count` vectors of 16 gradients masked: dst row i = mask(src row i) read off ref row i,
    /// each one's row i at i times its stride (in floats) from its start. Out of line and with the rule's
    /// branch outside the loops: inlined into the gathers, or with `if positiveOnly` inside,
    /// Swift built the masks lane by lane with scalar compares (3x slower than no fusion).
    @inline(never)
    func apply(_ src: UnsafePointer<Float>, srcStride: Int, ref: UnsafePointer<Float>, refStride: Int,
               into dst: UnsafeMutablePointer<Float>, dstStride: Int, count: Int) {
        typealias V = SIMD16<Float>
        let vlo = V(repeating: lo), vhi = V(repeating: hi), zero = V(repeating: 0)
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ v: V, _ i: Int) { UnsafeMutableRawPointer(dst + i * dstStride).storeBytes(of: v, as: V.self) }
        if positiveOnly {
            for i in 0..<count {
                let g = load(src + i * srcStride), x = load(ref + i * refStride)
                store(zero.replacing(with: g, where: (x .> vlo) .& (x .< vhi) .& (g .> zero)), i)
            }
        } else {
            for i in 0..<count {
                let g = load(src + i * srcStride), x = load(ref + i * refStride)
                store(zero.replacing(with: g, where: (x .> vlo) .& (x .< vhi)), i)
            }
        }
    }

    @inline(__always)
    func callAsFunction(_ g: Float, ref x: Float) -> Float {
        x > lo && x < hi && (!positiveOnly || g > 0) ? g : 0
    }
}

/// A mask and the NCHW planes it reads, at the same offsets as the gradient planes it masks.
struct MaskedPlanes {
    let mask: GradientMask
    let ref: UnsafePointer<Float>

    /// The same mask `floats` further on, for the planes of another item or channel block.
    func advanced(by floats: Int) -> MaskedPlanes { MaskedPlanes(mask: mask, ref: ref + floats) }
}

/// The masks a depthwise input gradient applies on the way (ConvolutionRules.backward): `input`
/// to the gradient it reads (the conv's own rectifier, read off its output), `output` to the
/// gradient it writes (the rectifier of the step that made the conv's input, read off that
/// input). Each tensor is laid out like the gradient it masks.
struct GradientMasks {
    var input: (mask: GradientMask, ref: Tensor)? = nil
    var output: (mask: GradientMask, ref: Tensor)? = nil

    /// `body` with both masks' planes, nil where there is no mask.
    func withPlanes<R>(_ body: (MaskedPlanes?, MaskedPlanes?) -> R) -> R {
        Self.planes(input) { i in Self.planes(output) { o in body(i, o) } }
    }

    private static func planes<R>(_ m: (mask: GradientMask, ref: Tensor)?, _ body: (MaskedPlanes?) -> R) -> R {
        guard let m else { return body(nil) }
        return m.ref.data.withUnsafeBufferPointer { body(MaskedPlanes(mask: m.mask, ref: $0.baseAddress!)) }
    }
}
