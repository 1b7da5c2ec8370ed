/// A fused rectifier on 16 lanes (and on one value for loop tails), with its bounds splatted
/// once. Compare-and-select: the scalar min / max do not vectorise because of their NaN rules.
struct Rectifier16 {
    typealias V = SIMD16<Float>
    let lo: V, hi: V, slope: V
    let leaky: Bool

    init(_ activation: FusedActivation?) {
        var lo = -Float.infinity, hi = Float.infinity, slope: Float = 1
        switch activation {
        case nil: break
        case .relu: lo = 0
        case let .clip(a, c): lo = a; hi = c
        case let .leakyRelu(alpha): slope = alpha
        }
        (self.lo, self.hi, self.slope, leaky) = (V(repeating: lo), V(repeating: hi), V(repeating: slope), slope != 1)
    }

    // Transparent: plain inline(__always) was not honoured in the depthwise kernel's closure,
    // and an out-of-line call passes the 16 lanes through four xmm registers each way.
    @_transparent
    func callAsFunction(_ v: V) -> V {
        if leaky { return v.replacing(with: v * slope, where: v .< V()) }
        let r = v.replacing(with: lo, where: v .< lo)
        return r.replacing(with: hi, where: r .> hi)
    }

    @inline(__always)
    func callAsFunction(_ v: Float) -> Float {
        leaky ? (v > 0 ? v : slope[0] * v) : Swift.min(Swift.max(v, lo[0]), hi[0])
    }
}
