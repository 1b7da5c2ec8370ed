import Foundation
import XAICore

/// DeepLIFT's backward rules (Shrikumar, Greenside, Kundaje. Learning Important Features
/// Through Propagating Activation Differences. ICML 2017), used under `BackwardRules.deepLift`.
/// What flows backward are multipliers m = dC / d(delta x): for every op, sum over its inputs of
/// m_in * (x - x0) equals sum over its outputs of m_out * (y - y0), x0 and y0 being the values
/// in the reference pass. For linear ops (conv, Gemm, BatchNormalization, additions, average
/// pooling, layout ops) the multipliers are the derivatives, so only these ops get a rule here;
/// with them, the input attributions m * (x - x0) of a network of linear ops, the activations
/// below and max pooling add up to f(x) - f(x0) ("summation-to-delta"). Ops without a rule
/// here (Mul or Div of two computed tensors, LRN, Softmax) keep their derivative, which breaks
/// summation-to-delta; the methods report the gap.
///
/// - Activations (Relu, Clip, LeakyRelu, HardSigmoid, Sigmoid, Tanh, HardSwish, Gelu, also fused into a
///   conv): the rescale rule m_in = m_out * (y - y0) / (x - x0). Where the input did not change
///   the secant is replaced by the derivative (for the smooth ones already when |x - x0| is
///   below `smoothEpsilon`, where float32 cancellation in y - y0 would dominate the secant; the
///   midpoint derivative is then within O(|x - x0|^2) of it). The rectifiers' secant is exact.
/// - Max pooling as in Captum's `DeepLift`: per window, m_out * (max(y, y0) - y0) goes to the
///   input's argmax and m_out * (y - max(y, y0)) to the reference's argmax (together
///   m_out * (y - y0)); each input element's sum is divided by its x - x0, the derivative
///   (routing to the input's argmax) taking over where x == x0.
enum DeepLiftRules {
    /// |x - x0| below which a smooth activation uses its derivative at the midpoint.
    static let smoothEpsilon: Float = 1e-4

    /// The rescale rule of activation `f` for m_out = `dy`; `x`, `y` from the forward pass,
    /// `x0`, `y0` from the reference pass, all of dy's shape.
    static func rescale(_ f: Pointwise, dy: Tensor, x: Tensor, y: Tensor, x0: Tensor, y0: Tensor,
                        workspace: Workspace) -> Tensor {
        let eps = f.isPiecewiseLinear ? 0 : smoothEpsilon
        return workspace.tensor(dy.shape) { d, n in
            withPointers(dy, x, y, x0, y0) { g, x, y, x0, y0 in
                Parallel.forRanges(n, grain: Elementwise.grain) { r in
                    for i in r {
                        let delta = x[i] - x0[i]
                        let m = abs(delta) > eps ? (y[i] - y0[i]) / delta : f.derivative((x[i] + x0[i]) / 2)
                        d[i] = g[i] * m
                    }
                }
            }
        }
    }

    /// Max pooling's multipliers for m_out = `dy` [N, C, Ho, Wo]; x, x0 [N, C, H, W] the inputs
    /// and y, y0 the outputs of the two passes.
    static func maxPool(_ p: Pool2D, dy: Tensor, x: Tensor, y: Tensor, x0: Tensor, y0: Tensor) -> Tensor {
        var toInput = dy, toReference = dy
        for i in dy.data.indices {
            let top = max(y.data[i], y0.data[i])
            toInput.data[i] = dy.data[i] * (top - y0.data[i])
            toReference.data[i] = dy.data[i] * (y.data[i] - top)
        }
        var sum = Pooling.backward(max: true, p, x: x, inputShape: x.shape, dy: toInput)
        sum.add(Pooling.backward(max: true, p, x: x0, inputShape: x.shape, dy: toReference))
        let derivative = Pooling.backward(max: true, p, x: x, inputShape: x.shape, dy: dy)
        for i in sum.data.indices {
            let delta = x.data[i] - x0.data[i]
            sum.data[i] = delta != 0 ? sum.data[i] / delta : derivative.data[i]
        }
        return sum
    }

    /// Runs `body` with base pointers of five tensors.
    private static func withPointers(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: Tensor, _ e: Tensor,
        _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> Void
    ) {
        a.data.withUnsafeBufferPointer { a in
            b.data.withUnsafeBufferPointer { b in
                c.data.withUnsafeBufferPointer { c in
                    d.data.withUnsafeBufferPointer { d in
                        e.data.withUnsafeBufferPointer { e in
                            body(a.baseAddress!, b.baseAddress!, c.baseAddress!, d.baseAddress!, e.baseAddress!)
                        }
                    }
                }
            }
        }
    }
}

extension Pointwise {
    /// Whether the function is linear between a few kinks (its secant needs no epsilon).
    var isPiecewiseLinear: Bool {
        switch self {
        case .relu, .clip, .leakyRelu, .hardSigmoid: return true
        case .sigmoid, .tanh, .hardSwish, .gelu: return false
        }
    }

    /// f(x) for one value (what `forward` computes elementwise).
    func value(_ x: Float) -> Float {
        switch self {
        case .relu: return max(x, 0)
        case let .clip(lo, hi): return min(max(x, lo), hi)
        case let .leakyRelu(alpha): return x > 0 ? x : alpha * x
        case .sigmoid: return 1 / (1 + expf(-x))
        case .tanh: return tanhf(x)
        case let .hardSigmoid(alpha, beta): return min(max(alpha * x + beta, 0), 1)
        case .hardSwish: return x * min(max(x / 6 + 0.5, 0), 1)
        case let .gelu(approximate): return Gelu.value(x, tanh: approximate)
        }
    }

    /// f'(x) for one value; at a kink the derivative of the side `backward` uses.
    func derivative(_ x: Float) -> Float {
        switch self {
        case .relu: return x > 0 ? 1 : 0
        case let .clip(lo, hi): return x > lo && x < hi ? 1 : 0
        case let .leakyRelu(alpha): return x > 0 ? 1 : alpha
        case .sigmoid:
            let s = 1 / (1 + expf(-x))
            return s * (1 - s)
        case .tanh:
            let t = tanhf(x)
            return 1 - t * t
        case let .hardSigmoid(alpha, beta):
            let v = alpha * x + beta
            return v > 0 && v < 1 ? alpha : 0
        case .hardSwish: return x < -3 ? 0 : (x > 3 ? 1 : (2 * x + 3) / 6)
        case let .gelu(approximate): return Gelu.derivative(x, tanh: approximate)
        }
    }
}
