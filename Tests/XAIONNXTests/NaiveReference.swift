import Foundation
import XAICore

/// Direct, loop-by-loop implementations of the few layers the end-to-end tests need, written
/// from the ONNX operator definitions; slow and obviously correct, to check the importer's
/// translation through the engine.
enum NaiveReference {
    static func conv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int = 1, pads: (Int, Int, Int, Int) = (0, 0, 0, 0),
                     dilation: Int = 1, groups: Int = 1) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (m, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let oh = (h + pads.0 + pads.2 - ((kh - 1) * dilation + 1)) / stride + 1
        let ow = (wd + pads.1 + pads.3 - ((kw - 1) * dilation + 1)) / stride + 1
        var out = Tensor(zeros: [n, m, oh, ow])
        let mPerGroup = m / groups
        for i in 0..<n {
            for o in 0..<m {
                let g = o / mPerGroup
                for y in 0..<oh {
                    for xx in 0..<ow {
                        var s = b?.data[o] ?? 0
                        for ci in 0..<cg {
                            let cin = g * cg + ci
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = y * stride - pads.0 + ky * dilation
                                    let ix = xx * stride - pads.1 + kx * dilation
                                    guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                                    s += x.data[((i * c + cin) * h + iy) * wd + ix] * w.data[((o * cg + ci) * kh + ky) * kw + kx]
                                }
                            }
                        }
                        out.data[((i * m + o) * oh + y) * ow + xx] = s
                    }
                }
            }
        }
        return out
    }

    static func batchNorm(_ x: Tensor, scale: [Float], bias: [Float], mean: [Float], variance: [Float], epsilon: Float) -> Tensor {
        var out = x
        let c = x.shape[1], hw = x.shape[2] * x.shape[3]
        for i in 0..<out.count {
            let ch = (i / hw) % c
            out.data[i] = (x.data[i] - mean[ch]) / (variance[ch] + epsilon).squareRoot() * scale[ch] + bias[ch]
        }
        return out
    }

    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        Tensor(shape: x.shape, data: x.data.map(f))
    }

    static func maxPool(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - kernel) / stride + 1, ow = (w - kernel) / stride + 1
        var out = Tensor(zeros: [n, c, oh, ow])
        for p in 0..<(n * c) {
            for y in 0..<oh {
                for xx in 0..<ow {
                    var best = -Float.infinity
                    for ky in 0..<kernel {
                        for kx in 0..<kernel { best = max(best, x.data[(p * h + y * stride + ky) * w + xx * stride + kx]) }
                    }
                    out.data[(p * oh + y) * ow + xx] = best
                }
            }
        }
        return out
    }

    /// Global average pool followed by flatten: [N, C].
    static func globalAveragePool(_ x: Tensor) -> Tensor {
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var out = Tensor(zeros: [n, c])
        for p in 0..<(n * c) { out.data[p] = x.data[(p * hw)..<((p + 1) * hw)].reduce(0, +) / Float(hw) }
        return out
    }

    /// a [N, K] times w [M, K] transposed, plus b [M].
    static func linear(_ a: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
        let (n, k, m) = (a.shape[0], a.shape[1], w.shape[0])
        var out = Tensor(zeros: [n, m])
        for i in 0..<n {
            for j in 0..<m {
                var s = b.data[j]
                for t in 0..<k { s += a.data[i * k + t] * w.data[j * k + t] }
                out.data[i * m + j] = s
            }
        }
        return out
    }

    /// Softmax over everything but the first axis.
    static func softmaxPerItem(_ x: Tensor) -> Tensor {
        let per = x.itemCount
        var out = x
        for i in 0..<x.batch {
            let row = x.data[(i * per)..<((i + 1) * per)]
            let mx = row.max() ?? 0
            let e = row.map { Foundation.exp($0 - mx) }
            let s = e.reduce(0, +)
            for (k, v) in e.enumerated() { out.data[i * per + k] = v / s }
        }
        return out
    }

    /// Deterministic test data in [-1, 1).
    static func ramp(_ shape: [Int], seed: Int = 1) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, data: (0..<n).map { i in Float((i * 37 + seed * 11) % 29) / 14.5 - 1 })
    }
}
