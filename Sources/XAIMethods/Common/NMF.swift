import XAICore
import Foundation
import XAIEngine

/// Non-negative matrix factorisation V ~ W H of a non-negative row-major matrix V [m, n] into
/// W [m, r] and H [r, n], minimising the Frobenius error. Deep Feature Factorization runs it on
/// target-layer activations (m = pixels, n = channels): W holds the concept heatmaps and H the
/// concept embeddings.
public enum NMF {
    public enum Solver: String, ParamChoice {
        /// Lee & Seung's multiplicative updates (non-increasing error, never leaves the
        /// non-negative orthant).
        case mu
        /// Hierarchical alternating least squares (Cichocki & Phan): exact non-negative
        /// least-squares updates of one factor row/column at a time; usually converges faster.
        case hals
    }

    /// A factorisation and its relative error ||V - W H||_F / ||V||_F after each iteration.
    public struct Result: Sendable {
        public var w: [Float]
        public var h: [Float]
        public var rows: Int
        public var cols: Int
        public var rank: Int
        public var errors: [Double]
    }

    /// Factorises `v` ([rows, cols], all >= 0) into rank `rank` with `iterations` rounds of
    /// `solver` from a seeded random start (as scikit-learn's `init='random'`: entries
    /// |N(0, 1)| * sqrt(mean(V) / rank)).
    public static func factorize(_ v: [Float], rows m: Int, cols n: Int, rank r: Int, iterations: Int,
                                 solver: Solver = .mu, seed: UInt64) -> Result {
        precondition(v.count == m * n && m > 0 && n > 0 && r > 0, "NMF: bad dimensions")
        var rng = SeededRandom(seed: seed)
        let mean = Double(v.reduce(0, +)) / Double(m * n)
        let scale = Float(max(mean, 1e-12) / Double(r)).squareRoot()
        var w = (0..<(m * r)).map { _ in scale * Float(abs(rng.normal())) }
        var h = (0..<(r * n)).map { _ in scale * Float(abs(rng.normal())) }
        let normV = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var errors: [Double] = []
        errors.reserveCapacity(iterations)
        for _ in 0..<iterations {
            switch solver {
            case .mu: multiplicativeStep(v, &w, &h, m, n, r)
            case .hals: halsStep(v, &w, &h, m, n, r)
            }
            errors.append(normV > 0 ? frobeniusError(v, w, h, m, n, r) / normV : 0)
        }
        return Result(w: w, h: h, rows: m, cols: n, rank: r, errors: errors)
    }

    /// Guards the divisions of the multiplicative updates.
    static let epsilon: Float = 1e-12

    static func multiplicativeStep(_ v: [Float], _ w: inout [Float], _ h: inout [Float], _ m: Int, _ n: Int, _ r: Int) {
        // H <- H * (W^T V) / (W^T W H)
        let wtv = Matrix.product(w, v, m: r, n: n, k: m, transA: true)
        let wtw = Matrix.product(w, w, m: r, n: r, k: m, transA: true)
        let wtwh = Matrix.product(wtw, h, m: r, n: n, k: r)
        for i in h.indices { h[i] *= wtv[i] / (wtwh[i] + epsilon) }
        // W <- W * (V H^T) / (W H H^T)
        let vht = Matrix.product(v, h, m: m, n: r, k: n, transB: true)
        let hht = Matrix.product(h, h, m: r, n: r, k: n, transB: true)
        let whht = Matrix.product(w, hht, m: m, n: r, k: r)
        for i in w.indices { w[i] *= vht[i] / (whht[i] + epsilon) }
    }

    /// Smallest value HALS writes, so no component collapses to an all-zero row for good.
    static let floor: Float = 1e-12

    static func halsStep(_ v: [Float], _ w: inout [Float], _ h: inout [Float], _ m: Int, _ n: Int, _ r: Int) {
        let wtv = Matrix.product(w, v, m: r, n: n, k: m, transA: true)
        let wtw = Matrix.product(w, w, m: r, n: r, k: m, transA: true)
        for j in 0..<r {
            let d = wtw[j * r + j]
            guard d > 0 else { continue }
            for c in 0..<n {
                var s = wtv[j * n + c]
                for l in 0..<r { s -= wtw[j * r + l] * h[l * n + c] }
                h[j * n + c] = max(floor, h[j * n + c] + s / d)
            }
        }
        let vht = Matrix.product(v, h, m: m, n: r, k: n, transB: true)
        let hht = Matrix.product(h, h, m: r, n: r, k: n, transB: true)
        for j in 0..<r {
            let d = hht[j * r + j]
            guard d > 0 else { continue }
            for p in 0..<m {
                var s = vht[p * r + j]
                for l in 0..<r { s -= w[p * r + l] * hht[l * r + j] }
                w[p * r + j] = max(floor, w[p * r + j] + s / d)
            }
        }
    }

    /// ||V - W H||_F, accumulated in double precision.
    static func frobeniusError(_ v: [Float], _ w: [Float], _ h: [Float], _ m: Int, _ n: Int, _ r: Int) -> Double {
        let wh = Matrix.product(w, h, m: m, n: n, k: r)
        var s = 0.0
        for i in v.indices {
            let d = Double(v[i]) - Double(wh[i])
            s += d * d
        }
        return s.squareRoot()
    }
}
