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
        if let mask = GradientMask(act, rules: rules) { return Elementwise.mask(ref, dy, mask, workspace: ws) }
        switch (rules, act) {
        case (.deconvnet, _):
            return Elementwise.apply(dy, workspace: ws) { g, d, n in for i in 0..<n { d[i] = max(g[i], 0) } }
        case let (_, .leakyRelu(alpha)):
            return combine(ref, dy, workspace: ws) { x, g, d, n in for i in 0..<n { d[i] = x[i] > 0 ? g[i] : alpha * g[i] } }
        case (_, .relu), (_, .clip):
            // DeepLIFT never reaches here (its rule reads the reference pass, DeepLiftRules); its
            // rectifiers would take the exact derivative.
            return Elementwise.mask(ref, dy, GradientMask(act, rules: .standard)!, workspace: ws)
        }
    }

    /// dx = mask(dy) read off `ref` (GradientMask), 16 lanes at a time.
    static func mask(_ ref: Tensor, _ dy: Tensor, _ mask: GradientMask, workspace: Workspace? = nil) -> Tensor {
        combine(ref, dy, workspace: workspace) { x, g, d, n in
            let vectors = n / 16
            mask.apply(g, srcStride: 16, ref: x, refStride: 16, into: d, dstStride: 16, count: vectors)
            for i in (16 * vectors)..<n { d[i] = mask(g[i], ref: x[i]) }
        }
    }
}
