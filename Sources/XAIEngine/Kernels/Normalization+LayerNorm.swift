import Foundation
import XAICore

/// Layer normalisation (Ba, Kiros, Hinton. Layer Normalization. 2016) over the trailing axes:
/// x is seen as [rows, len] (len = the product of the normalised axes), each row normalised
/// to zero mean and unit variance, then scaled and shifted element-wise by `scale` and `bias`
/// (both `len` long). Row statistics accumulate in Double: rows of 768 channels of large
/// activations otherwise lose digits against ONNX Runtime.
extension Normalization {
    /// Mean and 1 / sqrt(variance + epsilon) of each row (biased variance, as ONNX).
    private static func rowStatistics(_ x: UnsafePointer<Float>, len: Int, epsilon: Float) -> (Float, Float) {
        var sum = 0.0
        for i in 0..<len { sum += Double(x[i]) }
        let mean = sum / Double(len)
        var sq = 0.0
        for i in 0..<len {
            let d = Double(x[i]) - mean
            sq += d * d
        }
        return (Float(mean), Float(1 / (sq / Double(len) + Double(epsilon)).squareRoot()))
    }

    static func layerNorm(_ x: Tensor, len: Int, scale: [Float], bias: [Float]?, epsilon: Float) -> Tensor {
        let rows = x.count / max(1, len)
        return Tensor(uninitialized: x.shape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                Parallel.forRanges(rows, grain: max(1, 4096 / max(1, len))) { r in
                    for row in r {
                        let base = xp + row * len, out = y + row * len
                        let (mean, inv) = rowStatistics(base, len: len, epsilon: epsilon)
                        for i in 0..<len { out[i] = (base[i] - mean) * inv * scale[i] + (bias?[i] ?? 0) }
                    }
                }
            }
        }
    }

    /// dx for dy: with g = dy * scale and x^ the normalised row,
    /// dx = inv * (g - mean(g) - x^ * mean(g * x^)).
    static func layerNormBackward(_ x: Tensor, dy: Tensor, len: Int, scale: [Float], epsilon: Float) -> Tensor {
        let rows = x.count / max(1, len)
        return Tensor(uninitialized: x.shape) { dx, _ in
            x.data.withUnsafeBufferPointer { xb in
                dy.data.withUnsafeBufferPointer { gb in
                    let xp = xb.baseAddress!, gp = gb.baseAddress!
                    Parallel.forRanges(rows, grain: max(1, 4096 / max(1, len))) { r in
                        for row in r {
                            let base = xp + row * len, g = gp + row * len, out = dx + row * len
                            let (mean, inv) = rowStatistics(base, len: len, epsilon: epsilon)
                            var sumG = 0.0, sumGX = 0.0
                            for i in 0..<len {
                                let gi = Double(g[i] * scale[i])
                                sumG += gi
                                sumGX += gi * Double((base[i] - mean) * inv)
                            }
                            let meanG = Float(sumG / Double(len)), meanGX = Float(sumGX / Double(len))
                            for i in 0..<len {
                                let xhat = (base[i] - mean) * inv
                                out[i] = inv * (g[i] * scale[i] - meanG - xhat * meanGX)
                            }
                        }
                    }
                }
            }
        }
    }
}
