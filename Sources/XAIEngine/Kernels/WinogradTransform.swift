/// Winograd's minimal filtering (Lavin and Gray, "Fast Algorithms for Convolutional Neural
/// Networks", CVPR 2016), in two sizes.
///
/// F(4x4, 3x3): a 4x4 block of a 3x3 convolution's output is Y = A^T [(G g G^T) .* (B^T d B)] A
/// for the 6x6 input patch d around it, 36 multiplications per input channel instead of 144.
/// Interpolation points 0, 1, -1, 2, -2 and infinity.
/// Error: the transforms scale values by up to 25 (B^T d B) and sum up to 36 products with
/// coefficients up to 8 (A), so the rounding error is larger than the direct product's: on a
/// ResNet-50-sized layer (64 -> 64 channels, 56x56, unit-scale inputs, He-scale filters) the max
/// difference to a double-precision reference is 6.8e-6 of the largest output, against 8.5e-7
/// for im2col + GEMM (WinogradTests.testWinogradErrorOnAResNetLayer prints both; about 8x).
///
/// F(2x2, 3x3): a 2x2 block from a 4x4 patch, 16 multiplications instead of 36 (points 0, 1,
/// -1 and infinity, every coefficient 0, 1/2 or 1). For maps too small for F(4x4)'s blocks to
/// fill its products: a 14x14 map is 49 blocks of 2x2, exactly, against 16 blocks of 4x4 that
/// cover 16x16. Its error is the smallest of the three here: on ResNet-50's 14x14x256 layer
/// shape 6.5e-7 of the largest output, against 1.1e-5 for F(4x4) and 1.8e-6 for im2col + GEMM
/// (WinogradTwoTests.testErrorOnAResNetLayer prints all three).
///
/// Each output also carries rounding from the whole patch, not just its 3x3 window, so passes
/// that compare two inputs elementwise (DeepLIFT's rescale rule) run without Winograd
/// (Workspace.exactLocality). The transforms run on 16 blocks at once, one per lane (SIMD16).
enum WinogradTransform {
    typealias V = SIMD16<Float>

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

    // F(2x2, 3x3).

    /// B^T d on one line of a 4-value patch.
    @inline(__always)
    static func inputLine2(_ d0: V, _ d1: V, _ d2: V, _ d3: V) -> (V, V, V, V) {
        (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// A^T m on one line: two outputs of four values.
    @inline(__always)
    static func outputLine2(_ m0: V, _ m1: V, _ m2: V, _ m3: V) -> (V, V) {
        (m0 + m1 + m2, m1 - m2 - m3)
    }

    /// B^T d B for 16 patches: `p` holds [16][16] (row-major 4x4, lane = patch), in place.
    @inline(__always)
    static func transformInput2(_ p: UnsafeMutablePointer<Float>) {
        @inline(__always) func ld(_ i: Int) -> V { UnsafeRawPointer(p + 16 * i).loadUnaligned(as: V.self) }
        @inline(__always) func st(_ v: V, _ i: Int) { UnsafeMutableRawPointer(p + 16 * i).storeBytes(of: v, as: V.self) }
        for r in 0..<4 {
            let t = inputLine2(ld(4 * r), ld(4 * r + 1), ld(4 * r + 2), ld(4 * r + 3))
            st(t.0, 4 * r); st(t.1, 4 * r + 1); st(t.2, 4 * r + 2); st(t.3, 4 * r + 3)
        }
        for j in 0..<4 {
            let t = inputLine2(ld(j), ld(4 + j), ld(8 + j), ld(12 + j))
            st(t.0, j); st(t.1, 4 + j); st(t.2, 8 + j); st(t.3, 12 + j)
        }
    }

    /// A^T m A for 16 blocks: transformed value i (row-major 4x4) at `m + i * stride`; the 2x2
    /// outputs go to `out` as [4][16] (row-major 2x2, lane = block).
    @inline(__always)
    static func transformOutput2(_ m: UnsafePointer<Float>, stride: Int, into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func ld(_ i: Int) -> V { UnsafeRawPointer(m + i * stride).loadUnaligned(as: V.self) }
        @inline(__always) func st(_ v: V, _ i: Int) { UnsafeMutableRawPointer(out + 16 * i).storeBytes(of: v, as: V.self) }
        let c0 = outputLine2(ld(0), ld(4), ld(8), ld(12)), c1 = outputLine2(ld(1), ld(5), ld(9), ld(13))
        let c2 = outputLine2(ld(2), ld(6), ld(10), ld(14)), c3 = outputLine2(ld(3), ld(7), ld(11), ld(15))
        let r0 = outputLine2(c0.0, c1.0, c2.0, c3.0), r1 = outputLine2(c0.1, c1.1, c2.1, c3.1)
        st(r0.0, 0); st(r0.1, 1); st(r1.0, 2); st(r1.1, 3)
    }

    /// G g G^T of F(2x2, 3x3) for one 3x3 filter `g` (row-major), in double: 16 values, row-major 4x4.
    static func transformFilter2(_ g: UnsafePointer<Float>) -> [Double] {
        func line(_ g0: Double, _ g1: Double, _ g2: Double) -> [Double] { [g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2] }
        var t = [Double](repeating: 0, count: 12)
        for j in 0..<3 {
            let c = line(Double(g[j]), Double(g[3 + j]), Double(g[6 + j]))
            for i in 0..<4 { t[i * 3 + j] = c[i] }
        }
        return (0..<4).flatMap { i in line(t[i * 3], t[i * 3 + 1], t[i * 3 + 2]) }
    }
}

/// Winograd's two block sizes: F(4x4, 3x3) and F(2x2, 3x3) (WinogradTransform).
enum WinogradTile {
    case four, two

    /// Side of an output block.
    var block: Int { self == .four ? 4 : 2 }
    /// Side of the input patch a block reads.
    var patch: Int { block + 2 }
    /// Values per transformed patch, one GEMM each.
    var points: Int { patch * patch }

    /// B^T d B for 16 patches in place ([points][16]).
    @inline(__always)
    func transformInput(_ p: UnsafeMutablePointer<Float>) {
        if self == .four {
            WinogradTransform.transformInput(p)
        } else {
            WinogradTransform.transformInput2(p)
        }
    }

    /// A^T m A for 16 blocks into `out` ([block * block][16]).
    @inline(__always)
    func transformOutput(_ m: UnsafePointer<Float>, stride: Int, into out: UnsafeMutablePointer<Float>) {
        if self == .four {
            WinogradTransform.transformOutput(m, stride: stride, into: out)
        } else {
            WinogradTransform.transformOutput2(m, stride: stride, into: out)
        }
    }

    /// G g G^T for one 3x3 filter, row-major [patch][patch].
    func transformFilter(_ g: UnsafePointer<Float>) -> [Double] {
        self == .four ? WinogradTransform.transformFilter(g) : WinogradTransform.transformFilter2(g)
    }
}
