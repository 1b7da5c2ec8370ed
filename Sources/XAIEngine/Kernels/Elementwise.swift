import Foundation
import XAICore

/// Parallel loops over flat tensors for the pointwise activations (`Ops/Pointwise.swift`),
/// and the rectifiers' backward under the relevance rules.
enum Elementwise {
    /// Elements per thread below which the loops stay on one core.
    static let grain = 1 << 15

    /// y = f(x) in parallel chunks.
    static func apply(_ x: Tensor, workspace: Workspace? = nil,
                      _ f: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        (workspace ?? Workspace()).tensor(x.shape) { y, n in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                Parallel.forRanges(n, grain: grain) { r in
                    f(xp + r.lowerBound, y + r.lowerBound, r.count)
                }
            }
        }
    }

    /// dx = g(a, b, dy) in parallel chunks, `a` and `b` being forward tensors of dy's shape.
    /// Storage comes from `workspace`'s pool when given (a fresh large array costs page faults).
    static func combine(_ a: Tensor, _ dy: Tensor, workspace: Workspace? = nil,
                        _ f: @escaping (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        (workspace ?? Workspace()).tensor(dy.shape) { dx, n in
            a.data.withUnsafeBufferPointer { ab in
                dy.data.withUnsafeBufferPointer { gb in
                    let ap = ab.baseAddress!, gp = gb.baseAddress!
                    Parallel.forRanges(n, grain: grain) { r in
                        f(ap + r.lowerBound, gp + r.lowerBound, dx + r.lowerBound, r.count)
                    }
                }
            }
        }
    }

    /// dx for a rectifier under `rules`. `ref` is the forward input, or, for the fused
    /// rectifiers (where the mask reads the same from either side), the forward output.
    static func rectifierBackward(_ act: FusedActivation, ref: Tensor, dy: Tensor, rules: BackwardRules,
                                  workspace ws: Workspace? = nil) -> Tensor {
        func mask(_ ref: Tensor, _ dy: Tensor, lo: Float, hi: Float, positiveOnly: Bool) -> Tensor {
            Elementwise.mask(ref, dy, lo: lo, hi: hi, positiveOnly: positiveOnly, workspace: ws)
        }
        switch rules {
        case .deconvnet:
            return Elementwise.apply(dy, workspace: ws) { g, d, n in for i in 0..<n { d[i] = max(g[i], 0) } }
        case .standard, .deepLift:
            // DeepLIFT never reaches here: its rule reads the reference pass (DeepLiftRules).
            switch act {
            case .relu:
                return mask(ref, dy, lo: 0, hi: .infinity, positiveOnly: false)
            case let .clip(lo, hi):
                return mask(ref, dy, lo: lo, hi: hi, positiveOnly: false)
            case let .leakyRelu(alpha):
                return combine(ref, dy, workspace: ws) { x, g, d, n in for i in 0..<n { d[i] = x[i] > 0 ? g[i] : alpha * g[i] } }
            }
        case .guided:
            switch act {
            case .relu, .leakyRelu:
                return mask(ref, dy, lo: 0, hi: .infinity, positiveOnly: true)
            case let .clip(lo, hi):
                return mask(ref, dy, lo: lo, hi: hi, positiveOnly: true)
            }
        }
    }

    /// dx = dy where lo < ref < hi (and dy > 0 when `positiveOnly`), else 0; SIMD selects.
    static func mask(_ ref: Tensor, _ dy: Tensor, lo: Float, hi: Float, positiveOnly: Bool,
                     workspace: Workspace? = nil) -> Tensor {
        combine(ref, dy, workspace: workspace) { x, g, d, n in
            typealias V = SIMD16<Float>
            let vlo = V(repeating: lo), vhi = V(repeating: hi), zero = V(repeating: 0)
            var i = 0
            while i + 16 <= n {
                let xv = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
                let gv = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
                var keep = (xv .> vlo) .& (xv .< vhi)
                if positiveOnly { keep = keep .& (gv .> zero) }
                UnsafeMutableRawPointer(d + i).storeBytes(of: zero.replacing(with: gv, where: keep), as: V.self)
                i += 16
            }
            while i < n {
                let pass = x[i] > lo && x[i] < hi && (!positiveOnly || g[i] > 0)
                d[i] = pass ? g[i] : 0
                i += 1
            }
        }
    }
}
