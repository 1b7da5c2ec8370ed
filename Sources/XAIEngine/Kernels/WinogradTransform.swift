/// Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray, "Fast Algorithms for
/// Convolutional Neural Networks", CVPR 2016): a 4x4 block of a 3x3 convolution's output is
/// Y = A^T [(G g G^T) .* (B^T d B)] A for the 6x6 input patch d around it, 36 multiplications
/// per input channel instead of 144. Interpolation points 0, 1, -1, 2, -2 and infinity.
///
/// Error: the transforms scale values by up to 25 (B^T d B) and sum up to 36 products with
/// coefficients up to 8 (A), so the rounding error is larger than the direct product's: on a
/// ResNet-50-sized layer (64 -> 64 channels, 56x56, unit-scale inputs, He-scale filters) the max
/// difference to a double-precision reference is 6.8e-6 of the largest output, against 8.5e-7
/// for im2col + GEMM (WinogradTests.testWinogradErrorOnAResNetLayer prints both; about 8x).
/// Each output also carries rounding from the whole 6x6 patch, not just its 3x3 window, so
/// passes that compare two inputs elementwise (DeepLIFT's rescale rule) run on im2col
/// (Workspace.exactLocality).
///
/// The transforms here run on 16 tiles at once, one tile per lane (SIMD16).
enum WinogradTransform {
    typealias V = SIMD16<Float>
    /// Values per transformed patch (6 x 6), one GEMM each.
    static let points = 36

    /// B^T d on one line of the patch: t = B^T (d0 ... d5).
    @inline(__always)
    static func inputLine(_ d0: V, _ d1: V, _ d2: V, _ d3: V, _ d4: V, _ d5: V) -> (V, V, V, V, V, V) {
        let four = V(repeating: 4), five = V(repeating: 5), two = V(repeating: 2)
        let a = d4 - four * d2, b = d3 - four * d1
        let c = d4 - d2, e = two * (d3 - d1)
        return (four * d0 - five * d2 + d4, a + b, a - b, c + e, c - e, four * d1 - five * d3 + d5)
    }

    /// A^T m on one line of a transformed block: four outputs of six values.
    @inline(__always)
    static func outputLine(_ m0: V, _ m1: V, _ m2: V, _ m3: V, _ m4: V, _ m5: V) -> (V, V, V, V) {
        let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
        let two = V(repeating: 2), four = V(repeating: 4), eight = V(repeating: 8)
        return (m0 + s12 + s34, d12 + two * d34, s12 + four * s34, d12 + eight * d34 + m5)
    }

    /// B^T d B for 16 patches: `p` holds [36][16] (row-major 6x6, lane = patch) and receives
    /// the transformed values in the same layout.
    @inline(__always)
    static func transformInput(_ p: UnsafeMutablePointer<Float>) {
        @inline(__always) func ld(_ i: Int) -> V { UnsafeRawPointer(p + 16 * i).loadUnaligned(as: V.self) }
        @inline(__always) func st(_ v: V, _ i: Int) { UnsafeMutableRawPointer(p + 16 * i).storeBytes(of: v, as: V.self) }
        // Along rows (index j within each row r).
        for r in 0..<6 {
            let t = inputLine(ld(6 * r), ld(6 * r + 1), ld(6 * r + 2), ld(6 * r + 3), ld(6 * r + 4), ld(6 * r + 5))
            st(t.0, 6 * r); st(t.1, 6 * r + 1); st(t.2, 6 * r + 2); st(t.3, 6 * r + 3); st(t.4, 6 * r + 4); st(t.5, 6 * r + 5)
        }
        // Along columns.
        for j in 0..<6 {
            let t = inputLine(ld(j), ld(6 + j), ld(12 + j), ld(18 + j), ld(24 + j), ld(30 + j))
            st(t.0, j); st(t.1, 6 + j); st(t.2, 12 + j); st(t.3, 18 + j); st(t.4, 24 + j); st(t.5, 30 + j)
        }
    }

    /// A^T m A for 16 blocks: transformed value i (row-major 6x6) of the 16 blocks is at
    /// `m + i * stride`; the 4x4 outputs go to `out` as [16][16] (row-major 4x4, lane = block).
    @inline(__always)
    static func transformOutput(_ m: UnsafePointer<Float>, stride: Int, into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func ld(_ i: Int) -> V { UnsafeRawPointer(m + i * stride).loadUnaligned(as: V.self) }
        @inline(__always) func st(_ v: V, _ i: Int) { UnsafeMutableRawPointer(out + 16 * i).storeBytes(of: v, as: V.self) }
        Scratch.with(V.self, count: 24) { t in
            // Along columns (6 values -> 4 rows), then along the 4 rows.
            for j in 0..<6 {
                let c = outputLine(ld(j), ld(6 + j), ld(12 + j), ld(18 + j), ld(24 + j), ld(30 + j))
                t[j] = c.0; t[6 + j] = c.1; t[12 + j] = c.2; t[18 + j] = c.3
            }
            for i in 0..<4 {
                let r = outputLine(t[6 * i], t[6 * i + 1], t[6 * i + 2], t[6 * i + 3], t[6 * i + 4], t[6 * i + 5])
                st(r.0, 4 * i); st(r.1, 4 * i + 1); st(r.2, 4 * i + 2); st(r.3, 4 * i + 3)
            }
        }
    }

    /// G g G^T for one 3x3 filter `g` (row-major), in double: the 36 values, row-major 6x6.
    static func transformFilter(_ g: UnsafePointer<Float>) -> [Double] {
        func line(_ g0: Double, _ g1: Double, _ g2: Double) -> [Double] {
            [g0 / 4, -(g0 + g1 + g2) / 6, -(g0 - g1 + g2) / 6,
             g0 / 24 + g1 / 12 + g2 / 6, g0 / 24 - g1 / 12 + g2 / 6, g2]
        }
        // Columns of the 3x3 filter -> 6 rows each: t[6][3].
        var t = [Double](repeating: 0, count: 18)
        for j in 0..<3 {
            let c = line(Double(g[j]), Double(g[3 + j]), Double(g[6 + j]))
            for i in 0..<6 { t[i * 3 + j] = c[i] }
        }
        var u = [Double](repeating: 0, count: 36)
        for i in 0..<6 {
            let r = line(t[i * 3], t[i * 3 + 1], t[i * 3 + 2])
            for j in 0..<6 { u[i * 6 + j] = r[j] }
        }
        return u
    }
}
