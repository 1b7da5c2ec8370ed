/// A product with one row, y [n] = x [k] * op(B), for the classifier head of a single image
/// (Gemm with M = 1: Lite0's 1280 -> 1000, ResNet-50's 2048 -> 1000).
///
/// The product reads every weight once for one multiply-add, so it is bound by memory, not by
/// the FMA units. OpenBLAS runs ResNet-50's 1 x 2048 x 1000 through its general path, packing
/// all of B (`sgemm_incopy`, 8 MB) on every call: 1.0-1.4 ms against 0.11-0.12 ms here, weights
/// hot, medians of 300 calls (Lite0's 1280 x 1000 takes its small-matrix kernel: 65 us against
/// 75 us here, hot; cold, as in a pass, both wait on memory, about 0.4 ms on the loaded machine).
/// Here each core streams its share of B once with 16-lane loads: with op(B) = B^T (rows of B
/// are the outputs, the ONNX exports' transB = 1) four rows at a time are dotted with x, two
/// 16-lane partial sums per row (eight independent chains), reduced at the end; with op(B) = B, 64 outputs at a time
/// accumulate x[i] * B[i, j..j+64) over the rows i.
///
/// Rounding differs from OpenBLAS's summation order, so it runs only where no other batch size
/// must match bit for bit: M = 1 is never micro-batched (`Engine.scoresItemsAlike` is false for
/// batch 1; micro-batched passes run the head on the whole batch, M >= 2).
enum VectorMatrix {
    typealias V = SIMD16<Float>

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    /// y[j] = alpha * sum_i x[i] * op(B)[i, j] + beta * y[j] (beta 0: y is only written).
    /// `transB`: B is stored [n, k] (row stride ldb); else [k, n].
    static func multiply(x: UnsafePointer<Float>, k: Int, b: UnsafePointer<Float>, ldb: Int, n: Int, transB: Bool,
                         alpha: Float, beta: Float, y: UnsafeMutablePointer<Float>) {
        @inline(__always) func finish(_ s: Float, _ j: Int) { y[j] = beta == 0 ? alpha * s : alpha * s + beta * y[j] }
        if transB {
            // Units of 4 outputs; a few hundred KB of B per chunk at least.
            let quads = (n + 3) / 4
            Parallel.forRanges(quads, grain: max(1, (1 << 16) / max(1, 4 * k))) { r in
                var j = r.lowerBound * 4
                let end = min(n, r.upperBound * 4)
                while j + 4 <= end {
                    let s = dot4(x, b + j * ldb, ldb, k)
                    finish(s.0, j); finish(s.1, j + 1); finish(s.2, j + 2); finish(s.3, j + 3)
                    j += 4
                }
                while j < end {
                    finish(dot1(x, b + j * ldb, k), j)
                    j += 1
                }
            }
        } else {
            let groups = (n + 63) / 64
            Parallel.forRanges(groups, grain: max(1, (1 << 16) / max(1, 64 * k))) { r in
                for g in r {
                    let j0 = g * 64, width = min(64, n - j0)
                    if width == 64 {
                        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
                        var row = b + j0
                        for i in 0..<k {
                            let s = V(repeating: x[i])
                            madd(&a0, s, load(row)); madd(&a1, s, load(row + 16))
                            madd(&a2, s, load(row + 32)); madd(&a3, s, load(row + 48))
                            row += ldb
                        }
                        for l in 0..<16 {
                            finish(a0[l], j0 + l); finish(a1[l], j0 + 16 + l)
                            finish(a2[l], j0 + 32 + l); finish(a3[l], j0 + 48 + l)
                        }
                    } else {
                        for j in j0..<(j0 + width) {
                            var s: Float = 0
                            for i in 0..<k { s += x[i] * b[i * ldb + j] }
                            finish(s, j)
                        }
                    }
                }
            }
        }
    }

    /// Four dot products of x with rows r, r + ld, r + 2 ld, r + 3 ld (length k).
    @inline(__always)
    private static func dot4(_ x: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ ld: Int, _ k: Int)
        -> (Float, Float, Float, Float) {
        let r1 = r + ld, r2 = r + 2 * ld, r3 = r + 3 * ld
        var a0 = V(), a1 = V(), a2 = V(), a3 = V(), b0 = V(), b1 = V(), b2 = V(), b3 = V()
        var i = 0
        // Two partial sums per row: eight independent multiply-add chains.
        while i + 32 <= k {
            let x0 = load(x + i), x1 = load(x + i + 16)
            madd(&a0, x0, load(r + i)); madd(&b0, x1, load(r + i + 16))
            madd(&a1, x0, load(r1 + i)); madd(&b1, x1, load(r1 + i + 16))
            madd(&a2, x0, load(r2 + i)); madd(&b2, x1, load(r2 + i + 16))
            madd(&a3, x0, load(r3 + i)); madd(&b3, x1, load(r3 + i + 16))
            i += 32
        }
        while i + 16 <= k {
            let x0 = load(x + i)
            madd(&a0, x0, load(r + i)); madd(&a1, x0, load(r1 + i))
            madd(&a2, x0, load(r2 + i)); madd(&a3, x0, load(r3 + i))
            i += 16
        }
        var s0 = (a0 + b0).sum(), s1 = (a1 + b1).sum(), s2 = (a2 + b2).sum(), s3 = (a3 + b3).sum()
        while i < k {
            s0 += x[i] * r[i]; s1 += x[i] * r1[i]; s2 += x[i] * r2[i]; s3 += x[i] * r3[i]
            i += 1
        }
        return (s0, s1, s2, s3)
    }

    @inline(__always)
    private static func dot1(_ x: UnsafePointer<Float>, _ r: UnsafePointer<Float>, _ k: Int) -> Float {
        var a = V(), i = 0
        while i + 16 <= k {
            madd(&a, load(x + i), load(r + i))
            i += 16
        }
        var s = a.sum()
        while i < k {
            s += x[i] * r[i]
            i += 1
        }
        return s
    }
}
