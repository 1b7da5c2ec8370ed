import Foundation
import XAICore

/// Activations applied element by element, with the family's shape, forward and backward
/// rules. A new activation is one case here (name, value, derivative) plus the importer's
/// mapping from its ONNX name; dispatch, incremental inference and fusion need no change.
public enum Pointwise: Sendable, Equatable {
    case relu
    case clip(min: Float, max: Float)
    case leakyRelu(alpha: Float)
    case sigmoid
    case hardSigmoid(alpha: Float, beta: Float)
    case hardSwish
    case tanh
    /// x * Phi(x) with Phi the standard normal CDF (ONNX Gelu, opset 20: `approximate` "none"),
    /// or its tanh approximation (`approximate` "tanh"); ConvNeXt's MLP activation.
    case gelu(tanhApproximation: Bool)

    /// The ONNX operator name.
    public var onnxName: String {
        switch self {
        case .relu: return "Relu"
        case .clip: return "Clip"
        case .leakyRelu: return "LeakyRelu"
        case .sigmoid: return "Sigmoid"
        case .hardSigmoid: return "HardSigmoid"
        case .hardSwish: return "HardSwish"
        case .tanh: return "Tanh"
        case .gelu: return "Gelu"
        }
    }

    /// The output has the input's shape.
    func outputShape<D: ShapeDimension>(_ x: [D]) -> [D] { x }

    /// y = f(x) in parallel chunks.
    func forward(_ x: Tensor, workspace ws: Workspace? = nil) -> Tensor {
        func apply(_ f: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
            Elementwise.apply(x, workspace: ws, f)
        }
        switch self {
        case .relu:
            return apply { s, d, n in for i in 0..<n { d[i] = max(s[i], 0) } }
        case let .clip(lo, hi):
            return apply { s, d, n in for i in 0..<n { d[i] = min(max(s[i], lo), hi) } }
        case let .leakyRelu(alpha):
            return apply { s, d, n in for i in 0..<n { d[i] = s[i] > 0 ? s[i] : alpha * s[i] } }
        case .sigmoid:
            return apply { s, d, n in for i in 0..<n { d[i] = 1 / (1 + expf(-s[i])) } }
        case let .hardSigmoid(alpha, beta):
            return apply { s, d, n in for i in 0..<n { d[i] = min(max(alpha * s[i] + beta, 0), 1) } }
        case .hardSwish:
            return apply { s, d, n in
                for i in 0..<n { d[i] = s[i] * min(max(s[i] / 6 + 0.5, 0), 1) }
            }
        case .tanh:
            return apply { s, d, n in for i in 0..<n { d[i] = tanhf(s[i]) } }
        case let .gelu(approximate):
            return apply { s, d, n in for i in 0..<n { d[i] = Gelu.value(s[i], tanh: approximate) } }
        }
    }

    /// dx for dy. Rectifiers follow the backward rules (guided, deconvnet) and read their
    /// mask off the input (or the output, where only that was kept); sigmoid and tanh read their
    /// output, the rest their input.
    func backward(_ dy: Tensor, _ c: BackwardContext) throws -> Tensor {
        if case .deepLift = c.rules {
            let r = try c.referenceValues()
            return DeepLiftRules.rescale(self, dy: dy, x: try c.value(0), y: try c.output(), x0: try r.value(0), y0: try r.output(),
                                         workspace: c.workspace)
        }
        func rectifier(_ act: FusedActivation) throws -> Tensor {
            // Where a gradient pass kept the output only (Engine.gradientRetention), a rectifier
            // that can be fused reads the same mask off it.
            let ref: Tensor
            do { ref = try c.value(0) } catch where FusedActivation(fusing: self) != nil { ref = try c.output() }
            return Elementwise.rectifierBackward(act, ref: ref, dy: dy, rules: c.rules, workspace: c.workspace)
        }
        func combine(_ ref: Tensor,
                     _ f: @escaping (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
            Elementwise.combine(ref, dy, f)
        }
        switch self {
        case .relu:
            return try rectifier(.relu)
        case let .clip(lo, hi):
            return try rectifier(.clip(min: lo, max: hi))
        case let .leakyRelu(alpha):
            return try rectifier(.leakyRelu(alpha: alpha))
        case .sigmoid:
            return combine(try c.output()) { y, g, d, n in for i in 0..<n { d[i] = g[i] * y[i] * (1 - y[i]) } }
        case .tanh:
            return combine(try c.output()) { y, g, d, n in for i in 0..<n { d[i] = g[i] * (1 - y[i] * y[i]) } }
        case let .hardSigmoid(alpha, beta):
            return combine(try c.value(0)) { x, g, d, n in
                for i in 0..<n {
                    let v = alpha * x[i] + beta
                    d[i] = (v > 0 && v < 1) ? alpha * g[i] : 0
                }
            }
        case .hardSwish:
            return combine(try c.value(0)) { x, g, d, n in
                for i in 0..<n {
                    let v = x[i]
                    d[i] = v < -3 ? 0 : (v > 3 ? g[i] : g[i] * (2 * v + 3) / 6)
                }
            }
        case let .gelu(approximate):
            return combine(try c.value(0)) { x, g, d, n in
                for i in 0..<n { d[i] = g[i] * Gelu.derivative(x[i], tanh: approximate) }
            }
        }
    }
}

extension FusedActivation {
    /// The rectifiers that can run in a conv's epilogue: their derivative reads the same off
    /// the output as off the input. A clip with min > max or a leaky slope <= 0 does not.
    init?(fusing p: Pointwise) {
        switch p {
        case .relu: self = .relu
        case let .clip(lo, hi) where lo <= hi: self = .clip(min: lo, max: hi)
        case let .leakyRelu(a) where a > 0: self = .leakyRelu(alpha: a)
        default: return nil
        }
    }

    var pointwise: Pointwise {
        switch self {
        case .relu: return .relu
        case let .clip(lo, hi): return .clip(min: lo, max: hi)
        case let .leakyRelu(a): return .leakyRelu(alpha: a)
        }
    }
}

/// Shorthands for building graphs: `.relu` reads as `.pointwise(.relu)`.
extension Op {
    public static let relu = Op.pointwise(.relu)
    public static let sigmoid = Op.pointwise(.sigmoid)
    public static let hardSwish = Op.pointwise(.hardSwish)
    public static let tanh = Op.pointwise(.tanh)
    public static let gelu = Op.pointwise(.gelu(tanhApproximation: false))
    public static func clip(min: Float, max: Float) -> Op { .pointwise(.clip(min: min, max: max)) }
    public static func leakyRelu(alpha: Float) -> Op { .pointwise(.leakyRelu(alpha: alpha)) }
    public static func hardSigmoid(alpha: Float, beta: Float) -> Op { .pointwise(.hardSigmoid(alpha: alpha, beta: beta)) }
}

/// GELU (Hendrycks, Gimpel. Gaussian Error Linear Units. 2016) and its derivative, in Double:
/// erf and tanh near +-5 lose the last bits in float32, and these run once per element.
enum Gelu {
    private static let sqrt2OverPi = (2 / Double.pi).squareRoot()

    static func value(_ x: Float, tanh approximate: Bool) -> Float {
        let v = Double(x)
        if approximate { return Float(0.5 * v * (1 + Foundation.tanh(sqrt2OverPi * (v + 0.044715 * v * v * v)))) }
        return Float(0.5 * v * (1 + erf(v / 2.0.squareRoot())))
    }

    /// d/dx x Phi(x) = Phi(x) + x phi(x); for the tanh form, the derivative of that form.
    static func derivative(_ x: Float, tanh approximate: Bool) -> Float {
        let v = Double(x)
        if approximate {
            let u = sqrt2OverPi * (v + 0.044715 * v * v * v)
            let t = Foundation.tanh(u)
            return Float(0.5 * (1 + t) + 0.5 * v * (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * v * v))
        }
        let cdf = 0.5 * (1 + erf(v / 2.0.squareRoot()))
        let pdf = exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
        return Float(cdf + v * pdf)
    }
}
