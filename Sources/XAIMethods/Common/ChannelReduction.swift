import XAICore

/// How per-channel attributions [N, C, H, W] become one map per item [N, H, W]
/// (the `reduce` parameter of the gradient methods).
public enum ChannelReduction: String, ParamChoice {
    /// max over channels of |a|: the saliency map of Simonyan et al.
    case maxAbs = "max_abs"
    /// sum over channels of |a|.
    case sumAbs = "sum_abs"
    /// Euclidean norm over channels.
    case l2
    /// Plain sum over channels, keeping the sign (for integrated gradients, whose signed
    /// attributions add up to the score difference).
    case signedSum = "signed_sum"

    /// The `reduce` parameter; `signed_sum` is offered only to methods whose attributions carry a sign.
    static func parameter(default d: ChannelReduction, signed: Bool) -> Param<ChannelReduction> {
        Param("reduce", default: d, choices: [.maxAbs, .sumAbs, .l2] + (signed ? [.signedSum] : []),
              "how channels are combined into one map")
    }

    /// Whether the reduced map keeps the sign of the attributions.
    public var isSigned: Bool { self == .signedSum }

    /// Whether the run's `reduce` (declared by `p`) keeps the sign.
    static func keepsSign(_ p: Param<ChannelReduction>, _ params: ResolvedParams) -> Bool {
        p.value(in: params)?.isSigned ?? false
    }

    /// A method whose map is signed exactly when its `reduce` keeps the sign.
    static func mapSign(_ p: Param<ChannelReduction>) -> MethodDescriptor.MapSign {
        .when { keepsSign(p, $0) }
    }

    /// Reduces [N, C, H, W] to [N, H, W].
    public func apply(_ t: Tensor) -> Tensor {
        precondition(t.rank == 4, "ChannelReduction expects [N, C, H, W], got \(t.shape)")
        let (n, c, h, w) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
        let plane = h * w
        var out = [Float](repeating: 0, count: n * plane)
        t.data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for item in 0..<n {
                    let o = dst.baseAddress! + item * plane
                    for ch in 0..<c {
                        let s = src.baseAddress! + (item * c + ch) * plane
                        switch self {
                        case .maxAbs: for i in 0..<plane { o[i] = Swift.max(o[i], abs(s[i])) }
                        case .sumAbs: for i in 0..<plane { o[i] += abs(s[i]) }
                        case .l2: for i in 0..<plane { o[i] += s[i] * s[i] }
                        case .signedSum: for i in 0..<plane { o[i] += s[i] }
                        }
                    }
                    if self == .l2 { for i in 0..<plane { o[i] = o[i].squareRoot() } }
                }
            }
        }
        return Tensor(shape: [n, h, w], data: out)
    }
}
