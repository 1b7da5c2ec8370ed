import Foundation
import XAICore

/// Softmax, ReduceMean, LRN and (unfolded) inference BatchNormalization, with backward.
enum Normalization {
    // MARK: Softmax along one axis (opset-13 semantics).

    static func softmax(_ x: Tensor, axis: Int) -> Tensor {
        let outer = x.shape.prefix(axis).reduce(1, *)
        let len = x.shape[axis]
        let inner = x.shape.dropFirst(axis + 1).reduce(1, *)
        return Tensor(uninitialized: x.shape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                Parallel.forRanges(outer * inner, grain: max(1, 4096 / max(1, len))) { r in
                    for t in r {
                        let o = t / inner, j = t % inner
                        let base = o * len * inner + j
                        var m = -Float.infinity
                        for i in 0..<len { m = max(m, xp[base + i * inner]) }
                        var s: Float = 0
                        for i in 0..<len {
                            let e = expf(xp[base + i * inner] - m)
                            y[base + i * inner] = e
                            s += e
                        }
                        let inv = 1 / s
                        for i in 0..<len { y[base + i * inner] *= inv }
                    }
                }
            }
        }
    }

    static func softmaxBackward(y: Tensor, dy: Tensor, axis: Int) -> Tensor {
        let outer = y.shape.prefix(axis).reduce(1, *)
        let len = y.shape[axis]
        let inner = y.shape.dropFirst(axis + 1).reduce(1, *)
        return Tensor(uninitialized: y.shape) { dx, _ in
            y.data.withUnsafeBufferPointer { yb in
                dy.data.withUnsafeBufferPointer { gb in
                    let yp = yb.baseAddress!, gp = gb.baseAddress!
                    for t in 0..<(outer * inner) {
                        let o = t / inner, j = t % inner
                        let base = o * len * inner + j
                        var dot: Float = 0
                        for i in 0..<len { dot += yp[base + i * inner] * gp[base + i * inner] }
                        for i in 0..<len {
                            let k = base + i * inner
                            dx[k] = yp[k] * (gp[k] - dot)
                        }
                    }
                }
            }
        }
    }

    // MARK: ReduceMean

    /// Shape with the reduced axes kept as 1.
    static func keptShape(_ x: [Int], axes: [Int]) -> [Int] {
        x.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    }

    static func reduceMean(_ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
        let kept = keptShape(x.shape, axes: axes)
        let count = Float(axes.reduce(1) { $0 * x.shape[$1] })
        let s = Broadcast.reduce(x, to: kept)
        return Tensor(shape: try! ReductionRules.meanShape(x.shape, axes: axes, keepDims: keepDims),
                      data: s.data.map { $0 / count })
    }

    static func reduceMeanBackward(_ dy: Tensor, inputShape: [Int], axes: [Int]) -> Tensor {
        let kept = keptShape(inputShape, axes: axes)
        let count = Float(axes.reduce(1) { $0 * inputShape[$1] })
        let g = dy.reshaped(kept)
        return Broadcast.binary(.add, Tensor(zeros: inputShape), g.map { $0 / count })!
    }

    // MARK: LRN across channels (axis 1).

    private static func window(_ size: Int) -> (lo: Int, hi: Int) { ((size - 1) / 2, size / 2) }

    /// d[c] = bias + alpha / size * sum of x^2 over the channel window of c.
    private static func lrnDenominators(_ x: UnsafePointer<Float>, c: Int, s: Int, size: Int, alpha: Float, bias: Float,
                                        into d: UnsafeMutablePointer<Float>) {
        let (lo, hi) = window(size)
        let k = alpha / Float(size)
        for ch in 0..<c {
            let row = d + ch * s
            row.update(repeating: 0, count: s)
            for j in max(0, ch - lo)...min(c - 1, ch + hi) {
                let src = x + j * s
                for i in 0..<s { row[i] += src[i] * src[i] }
            }
            for i in 0..<s { row[i] = bias + k * row[i] }
        }
    }

    static func lrn(_ x: Tensor, size: Int, alpha: Float, beta: Float, bias: Float) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        let s = x.shape.dropFirst(2).reduce(1, *)
        return Tensor(uninitialized: x.shape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                Parallel.forRanges(n) { r in
                    let d = UnsafeMutablePointer<Float>.allocate(capacity: c * s)
                    defer { d.deallocate() }
                    for item in r {
                        let xi = xp + item * c * s, yi = y + item * c * s
                        lrnDenominators(xi, c: c, s: s, size: size, alpha: alpha, bias: bias, into: d)
                        for i in 0..<(c * s) { yi[i] = xi[i] * powf(d[i], -beta) }
                    }
                }
            }
        }
    }

    static func lrnBackward(_ x: Tensor, dy: Tensor, size: Int, alpha: Float, beta: Float, bias: Float) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        let s = x.shape.dropFirst(2).reduce(1, *)
        let (lo, hi) = window(size)
        let k = 2 * alpha * beta / Float(size)
        return Tensor(uninitialized: x.shape) { dx, _ in
            x.data.withUnsafeBufferPointer { xb in
                dy.data.withUnsafeBufferPointer { gb in
                    let xp = xb.baseAddress!, gp = gb.baseAddress!
                    Parallel.forRanges(n) { r in
                        let d = UnsafeMutablePointer<Float>.allocate(capacity: c * s)
                        let t = UnsafeMutablePointer<Float>.allocate(capacity: c * s)
                        defer { d.deallocate(); t.deallocate() }
                        for item in r {
                            let xi = xp + item * c * s, gi = gp + item * c * s, di = dx + item * c * s
                            lrnDenominators(xi, c: c, s: s, size: size, alpha: alpha, bias: bias, into: d)
                            // t_j = dy_j x_j d_j^(-beta-1); dx_i = dy_i d_i^-beta - k x_i sum_{j: i in win(j)} t_j
                            for i in 0..<(c * s) { t[i] = gi[i] * xi[i] * powf(d[i], -beta - 1) }
                            for ch in 0..<c {
                                let row = di + ch * s
                                for i in 0..<s { row[i] = 0 }
                                for j in max(0, ch - hi)...min(c - 1, ch + lo) {
                                    let src = t + j * s
                                    for i in 0..<s { row[i] += src[i] }
                                }
                                for i in 0..<s {
                                    let q = ch * s + i
                                    row[i] = gi[q] * powf(d[q], -beta) - k * xi[q] * row[i]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: BatchNormalization (inference), channels on axis 1.

    /// Per-channel scale and shift equivalent to the BN statistics.
    static func batchNormAffine(scale: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, epsilon: Float) -> ([Float], [Float]) {
        let c = scale.count
        var s = [Float](repeating: 0, count: c), t = s
        for i in 0..<c {
            s[i] = scale.data[i] / (variance.data[i] + epsilon).squareRoot()
            t[i] = bias.data[i] - mean.data[i] * s[i]
        }
        return (s, t)
    }

    /// y = x * s[c] + t[c] on [N, C, ...].
    static func channelAffine(_ x: Tensor, scale s: [Float], shift t: [Float]) -> Tensor {
        let c = x.shape[1]
        let inner = x.shape.dropFirst(2).reduce(1, *)
        return Tensor(uninitialized: x.shape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                Parallel.forRanges(x.shape[0] * c, grain: max(1, Elementwise.grain / max(1, inner))) { r in
                    for p in r {
                        let (a, b) = (s[p % c], t[p % c])
                        let src = xp + p * inner, dst = y + p * inner
                        for i in 0..<inner { dst[i] = src[i] * a + b }
                    }
                }
            }
        }
    }
}

/// Row-wise softmax of logits [N, K] (numerically stable), e.g. class probabilities.
public func softmax(_ logits: Tensor) -> Tensor {
    guard logits.rank >= 1 else { return logits }
    return Normalization.softmax(logits, axis: logits.rank - 1)
}
