import CKernels

/// The engine's own GEMM for the forward pass of ordinary (group 1) convolutions:
/// C = rectify(W * B + bias), W [M, K] the filters, B [K, N] the input columns (pixels).
///
/// OpenBLAS packs both operands again on every call, and the epilogue then reads C once more;
/// here the filters are packed once when the model is loaded, B is read in place, and bias and
/// rectifier are applied in registers before the single store. An 8 x 48 register block
/// (24 accumulators of 16 lanes; 8 x 32 and 8 x 16 for the last columns) covers the whole K, so
/// every output is written once. On EfficientNet-Lite0's 1x1 shapes the earlier 8 x 32 block
/// ran at 105-115 GFLOP/s per core against 95-100 for OpenBLAS's AVX-512 sgemm; 8 x 48 needs 11
/// loads per 24 multiply-adds instead of 10 per 16 and took ResNet-50's batch-1 forward from
/// 44.9-45.4 to 41.2-42.4 ms (Lite0 batch 32: 4.22-4.24 -> 3.95-3.99). Each output sums its k
/// terms in the same order in every block width, so the width changes no result.
enum PackedGEMM {
    typealias V = SIMD16<Float>

    /// The widest column tile of a product over `k`: B's part of a tile (K x tile floats) stays
    /// within about 512 KB of the core's cache while every row panel passes over it (without
    /// tiles, the [144, 6272] input of a Lite0 projection was read from L3 once per panel).
    static func widestTile(k: Int) -> Int { max(32, ((1 << 17) / max(1, k)) & ~31) }

    /// Columns per tile for products that cut their own tiles (Winograd's 36 per layer): at
    /// most `widestTile`, about equally wide, multiples of 32 but the last.
    static func tileColumns(k: Int, n: Int) -> Int {
        guard n > 64 else { return n }
        let widest = min(n, widestTile(k: k))
        let tiles = (n + widest - 1) / widest
        return min(widest, ((n + tiles - 1) / tiles + 31) & ~31)
    }

    /// C = rectify(W * B + bias) for the `n` columns of B (rows at `b + k * ldb`), split across
    /// the cores in units of one column tile and a group of row panels (forEachUnit).
    /// `precision` bf16: the products run on the bf16 kernel (PackedGEMM+BF16.swift).
    static func multiply(_ w: PackedFilters, b: UnsafePointer<Float>, ldb: Int, n: Int,
                         rectify: Rectifier16, into dst: ColumnDestination, precision: Precision = .fp32) {
        forEachUnit(w, n: n, align: tileAlignment(precision)) { panels, columns in
            if precision == .bf16 {
                runBF16(w, b: b, ldb: ldb, panels: panels, columns: columns, rectify: rectify, into: dst)
            } else {
                run(w, b: b, ldb: ldb, panels: panels, columns: columns, rectify: rectify, into: dst)
            }
        }
    }

    /// Where tiles may start: a multiple of 16 columns (the widest register block's unit), in
    /// bf16 of 32 (an AMX column block).
    static func tileAlignment(_ precision: Precision) -> Int { precision == .bf16 ? 32 : 16 }

    /// The product's units (a group of row panels x the columns of one tile), split across the
    /// cores: enough units for a few per core (a product of 2 or 3 tiles split by tiles alone
    /// left a core idle for a third of it, and one core slowed by another process held up the
    /// whole product).
    ///
    /// The columns (pixels) are first cut into one share per core, and the pool hands core s
    /// the units of share s first, so a core reads the pixels it wrote in the layer before: on
    /// ResNet-50 a 1x1 conv over 512 or 1024 channels otherwise read half its 0.8-1.6 MB input
    /// from the other core's L2, which the step profiles showed as a 1.4-1.55x two-core speed-up
    /// where the other convs reached 1.9x. Each share is cut into tiles of at most `widestTile`.
    /// Only where B is at least as wide as the filters are tall (n >= m): where the filters are
    /// the larger operand (ResNet-50's 256 -> 1024 at 14x14: 1 MB of filters, 200 KB of input)
    /// a column share per core made both cores read all the filters; there each core takes its
    /// run of row panels and half of them. Step profiles at batch 1, min of two alternations,
    /// twice: the six 256 -> 1024 convs 1.87-1.89 -> 1.75-1.76 ms, 1024 -> 256 1.54-1.58 -> 1.50-1.53.
    /// Cuts fall on multiples of `align` columns (16 in float32, 32 in bf16, a column block):
    /// only the product's last n mod 16 columns then run on the narrow tail kernel, as in one
    /// whole product, so the split changes no result.
    static func forEachUnit(_ w: PackedFilters, n: Int, align: Int = 16, _ body: (Range<Int>, Range<Int>) -> Void) {
        let wanted = Parallel.loopsRunInline ? 1 : Parallel.cores * Parallel.chunksPerCore
        let shares = wanted > 1 && n >= 8 * align && n >= w.m ? Parallel.cores : 1
        let widest = widestTile(k: w.k)
        let perShare = n <= 64 ? 1 : ((n + shares - 1) / shares + widest - 1) / widest
        let tiles = min(shares * perShare, max(1, n / align))
        // Tile t's first column: n * t / tiles, to the nearest multiple of `align`.
        @inline(__always) func start(_ t: Int) -> Int { t == tiles ? n : (n * t / tiles + align / 2) / align * align }
        let groups = min(w.panels, max(1, (wanted + tiles - 1) / tiles))
        // Work below about a million multiply-adds stays on the calling thread.
        let unitWork = (n / tiles) * w.k * PackedFilters.rows * max(1, w.panels / groups)
        let grain = max(1, (1 << 20) / max(1, unitWork))
        Parallel.forRanges(tiles * groups, grain: grain) { r in
            for u in r {
                let (t, g) = (u / groups, u % groups)
                let columns = start(t)..<start(t + 1)
                if !columns.isEmpty { body((w.panels * g / groups)..<(w.panels * (g + 1) / groups), columns) }
            }
        }
    }

    /// Columns of the widest register block (kernel8x48), and so of the scratch a block that is
    /// not whole goes through.
    static let widestBlock = 48

    /// Row panels `panels` over the columns `columns` (starting at a multiple of 16).
    static func run(_ w: PackedFilters, b: UnsafePointer<Float>, ldb: Int, panels: Range<Int>,
                            columns: Range<Int>, rectify: Rectifier16, into dst: ColumnDestination) {
        let kernelRectify = dst.kernelRectifier(rectify), inPlace = dst.residualInPlace
        Scratch.with(Float.self, count: PackedFilters.rows * widestBlock) { scratch in
            for p in panels {
                let a = UnsafePointer(w.data + p * w.k * PackedFilters.rows)
                let bias = UnsafePointer(w.bias + p * PackedFilters.rows)
                let row0 = p * PackedFilters.rows, rows = min(PackedFilters.rows, w.m - row0)
                var j = columns.lowerBound
                while j < columns.upperBound {
                    let left = columns.upperBound - j
                    let width = left >= widestBlock ? widestBlock : left >= 32 ? 32 : left >= 16 ? 16 : left
                    // Straight into C when the block is whole (8 rows, one item) and C is not the
                    // residual; else via scratch.
                    let direct = !inPlace && rows == PackedFilters.rows && j / dst.itemColumns == (j + width - 1) / dst.itemColumns
                    let c = direct ? dst.address(row: row0, column: j) : scratch
                    let ldc = direct ? dst.itemColumns : widestBlock
                    dst.prefetchResidual(rows: rows, fromRow: row0, columns: j..<(j + width))
                    if width == widestBlock && p == panels.lowerBound {
                        kernel8x48(w.k, a, b + j, ldb, bias, kernelRectify, c, ldc, prefetchRows: firstPanelPrefetch)
                    } else if width == widestBlock {
                        kernel8x48(w.k, a, b + j, ldb, bias, kernelRectify, c, ldc)
                    } else if width == 32 {
                        kernel8x32(w.k, a, b + j, ldb, bias, kernelRectify, c, ldc)
                    } else if width == 16 {
                        kernel8x16(w.k, a, b + j, ldb, bias, kernelRectify, c, ldc)
                    } else {
                        var q = 0
                        while q < width {
                            // Constant counts, so each inlined copy has no per-k branches.
                            let (bq, cq) = (b + j + q, c + q)
                            switch width - q {
                            case 1: columns8xN(1, w.k, a, bq, ldb, bias, kernelRectify, cq, ldc)
                            case 2: columns8xN(2, w.k, a, bq, ldb, bias, kernelRectify, cq, ldc)
                            case 3: columns8xN(3, w.k, a, bq, ldb, bias, kernelRectify, cq, ldc)
                            default: columns8xN(4, w.k, a, bq, ldb, bias, kernelRectify, cq, ldc)
                            }
                            q += 4
                        }
                    }
                    if inPlace {
                        dst.accumulate(scratch, ld: widestBlock, rows: rows, fromRow: row0, columns: j..<(j + width), rectify)
                    } else {
                        if !direct { dst.copy(scratch, ld: widestBlock, rows: rows, fromRow: row0, columns: j..<(j + width)) }
                        dst.addResidual(rows: rows, fromRow: row0, columns: j..<(j + width), rectify)
                    }
                    j += width
                }
            }
        }
    }

    /// How far ahead (floats: 64 k steps of a panel, 2 KB) the kernels ask for the filter
    /// panel: its first pass over a tile reads it from L3. Step profiles of ResNet-50 at batch 1,
    /// min of two alternations: its 1x1 convs 12.8 -> 12.5 ms on two cores, 22.9 -> 22.7 on one
    /// (16, 32 and 128 k steps ahead did less). A prefetch past the panel's end is a hint, never
    /// a fault.
    static let filterPrefetch = 64 * PackedFilters.rows

    @inline(__always) private static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always) private static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// Rows of B ahead that the first panel of a unit asks for (the others find the tile in
    /// L2): its rows are 48 columns of a plane each, `ldb` apart, too many streams for the
    /// hardware prefetchers, and where B outgrows L2 (a micro-batch's 56x56 maps on one core)
    /// every row waited on L3. ResNet-50 step sums at batch 1 on one core 43.6 -> 41.9 ms (4
    /// and 16 rows ahead did less), on two no change; `xai bench`, four alternations, mean ms
    /// per image: forward at batch 1 23.0 -> 22.8, at batch 32 21.5 -> 21.2, forward+backward
    /// at batch 16 52.6 -> 52.0 (each within the host's noise, all in the same direction).
    static let firstPanelPrefetch = 8

    /// 8 rows x 48 columns: per k, three 16-lane loads of B and eight broadcasts of W feed 24
    /// multiply-adds (11 loads per 24, against 10 per 16 for 8 x 32). With `prefetchRows`, B's
    /// row that many rows ahead is asked for at each k (a constant where inlined).
    @inline(__always)
    private static func kernel8x48(_ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int,
                                   _ bias: UnsafePointer<Float>, _ rectify: Rectifier16,
                                   _ c: UnsafeMutablePointer<Float>, _ ldc: Int, prefetchRows: Int = 0) {
        var c00 = V(repeating: bias[0]), c10 = V(repeating: bias[1]), c20 = V(repeating: bias[2]), c30 = V(repeating: bias[3])
        var c40 = V(repeating: bias[4]), c50 = V(repeating: bias[5]), c60 = V(repeating: bias[6]), c70 = V(repeating: bias[7])
        var c01 = c00, c11 = c10, c21 = c20, c31 = c30, c41 = c40, c51 = c50, c61 = c60, c71 = c70
        var c02 = c00, c12 = c10, c22 = c20, c32 = c30, c42 = c40, c52 = c50, c62 = c60, c72 = c70
        var ap = a, bp = b
        for _ in 0..<k {
            xai_prefetch(ap + filterPrefetch)
            if prefetchRows > 0 {
                let q = bp + prefetchRows * ldb
                xai_prefetch(q); xai_prefetch(q + 16); xai_prefetch(q + 32)
            }
            let b0 = load(bp), b1 = load(bp + 16), b2 = load(bp + 32)
            var s = V(repeating: ap[0]); madd(&c00, s, b0); madd(&c01, s, b1); madd(&c02, s, b2)
            s = V(repeating: ap[1]); madd(&c10, s, b0); madd(&c11, s, b1); madd(&c12, s, b2)
            s = V(repeating: ap[2]); madd(&c20, s, b0); madd(&c21, s, b1); madd(&c22, s, b2)
            s = V(repeating: ap[3]); madd(&c30, s, b0); madd(&c31, s, b1); madd(&c32, s, b2)
            s = V(repeating: ap[4]); madd(&c40, s, b0); madd(&c41, s, b1); madd(&c42, s, b2)
            s = V(repeating: ap[5]); madd(&c50, s, b0); madd(&c51, s, b1); madd(&c52, s, b2)
            s = V(repeating: ap[6]); madd(&c60, s, b0); madd(&c61, s, b1); madd(&c62, s, b2)
            s = V(repeating: ap[7]); madd(&c70, s, b0); madd(&c71, s, b1); madd(&c72, s, b2)
            ap += 8
            bp += ldb
        }
        store(rectify(c00), c); store(rectify(c01), c + 16); store(rectify(c02), c + 32)
        store(rectify(c10), c + ldc); store(rectify(c11), c + ldc + 16); store(rectify(c12), c + ldc + 32)
        store(rectify(c20), c + 2 * ldc); store(rectify(c21), c + 2 * ldc + 16); store(rectify(c22), c + 2 * ldc + 32)
        store(rectify(c30), c + 3 * ldc); store(rectify(c31), c + 3 * ldc + 16); store(rectify(c32), c + 3 * ldc + 32)
        store(rectify(c40), c + 4 * ldc); store(rectify(c41), c + 4 * ldc + 16); store(rectify(c42), c + 4 * ldc + 32)
        store(rectify(c50), c + 5 * ldc); store(rectify(c51), c + 5 * ldc + 16); store(rectify(c52), c + 5 * ldc + 32)
        store(rectify(c60), c + 6 * ldc); store(rectify(c61), c + 6 * ldc + 16); store(rectify(c62), c + 6 * ldc + 32)
        store(rectify(c70), c + 7 * ldc); store(rectify(c71), c + 7 * ldc + 16); store(rectify(c72), c + 7 * ldc + 32)
    }

    /// 8 rows x 32 columns: per k, two 16-lane loads of B and eight broadcasts of W.
    @inline(__always)
    private static func kernel8x32(_ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int,
                                   _ bias: UnsafePointer<Float>, _ rectify: Rectifier16,
                                   _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c00 = V(repeating: bias[0]), c10 = V(repeating: bias[1]), c20 = V(repeating: bias[2]), c30 = V(repeating: bias[3])
        var c40 = V(repeating: bias[4]), c50 = V(repeating: bias[5]), c60 = V(repeating: bias[6]), c70 = V(repeating: bias[7])
        var c01 = c00, c11 = c10, c21 = c20, c31 = c30, c41 = c40, c51 = c50, c61 = c60, c71 = c70
        var ap = a, bp = b
        for _ in 0..<k {
            xai_prefetch(ap + filterPrefetch)
            let b0 = load(bp), b1 = load(bp + 16)
            var s = V(repeating: ap[0]); madd(&c00, s, b0); madd(&c01, s, b1)
            s = V(repeating: ap[1]); madd(&c10, s, b0); madd(&c11, s, b1)
            s = V(repeating: ap[2]); madd(&c20, s, b0); madd(&c21, s, b1)
            s = V(repeating: ap[3]); madd(&c30, s, b0); madd(&c31, s, b1)
            s = V(repeating: ap[4]); madd(&c40, s, b0); madd(&c41, s, b1)
            s = V(repeating: ap[5]); madd(&c50, s, b0); madd(&c51, s, b1)
            s = V(repeating: ap[6]); madd(&c60, s, b0); madd(&c61, s, b1)
            s = V(repeating: ap[7]); madd(&c70, s, b0); madd(&c71, s, b1)
            ap += 8
            bp += ldb
        }
        store(rectify(c00), c); store(rectify(c01), c + 16)
        store(rectify(c10), c + ldc); store(rectify(c11), c + ldc + 16)
        store(rectify(c20), c + 2 * ldc); store(rectify(c21), c + 2 * ldc + 16)
        store(rectify(c30), c + 3 * ldc); store(rectify(c31), c + 3 * ldc + 16)
        store(rectify(c40), c + 4 * ldc); store(rectify(c41), c + 4 * ldc + 16)
        store(rectify(c50), c + 5 * ldc); store(rectify(c51), c + 5 * ldc + 16)
        store(rectify(c60), c + 6 * ldc); store(rectify(c61), c + 6 * ldc + 16)
        store(rectify(c70), c + 7 * ldc); store(rectify(c71), c + 7 * ldc + 16)
    }

    /// 8 rows x up to 4 columns, for the last columns of a product (a 7x7 map's 49 pixels are
    /// 32 + 16 + 1): the panel's 8 filters of each k are one 8-lane vector and each column a
    /// broadcast, so no work goes to padding. Four partial sums per column, over k mod 4, keep
    /// four multiply-adds in flight (one chain waited on the FMA latency at every k).
    @inline(__always)
    private static func columns8xN(_ count: Int, _ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int,
                                   _ bias: UnsafePointer<Float>, _ rectify: Rectifier16,
                                   _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        typealias V8 = SIMD8<Float>
        @inline(__always) func w(_ p: UnsafePointer<Float>) -> V8 { UnsafeRawPointer(p).loadUnaligned(as: V8.self) }
        @inline(__always) func madd(_ acc: inout V8, _ f: V8, _ x: Float) { XAIEngine.madd(&acc, f, V8(repeating: x)) }
        // acc[q][phase]
        var c00 = V8(), c01 = V8(), c02 = V8(), c03 = V8(), c10 = V8(), c11 = V8(), c12 = V8(), c13 = V8()
        var c20 = V8(), c21 = V8(), c22 = V8(), c23 = V8(), c30 = V8(), c31 = V8(), c32 = V8(), c33 = V8()
        var ap = a, bp = b, left = k
        while left >= 4 {
            let f0 = w(ap), f1 = w(ap + 8), f2 = w(ap + 16), f3 = w(ap + 24)
            let b1 = bp + ldb, b2 = bp + 2 * ldb, b3 = bp + 3 * ldb
            madd(&c00, f0, bp[0]); madd(&c01, f1, b1[0]); madd(&c02, f2, b2[0]); madd(&c03, f3, b3[0])
            if count > 1 { madd(&c10, f0, bp[1]); madd(&c11, f1, b1[1]); madd(&c12, f2, b2[1]); madd(&c13, f3, b3[1]) }
            if count > 2 { madd(&c20, f0, bp[2]); madd(&c21, f1, b1[2]); madd(&c22, f2, b2[2]); madd(&c23, f3, b3[2]) }
            if count > 3 { madd(&c30, f0, bp[3]); madd(&c31, f1, b1[3]); madd(&c32, f2, b2[3]); madd(&c33, f3, b3[3]) }
            ap += 32
            bp += 4 * ldb
            left -= 4
        }
        while left > 0 {
            let f0 = w(ap)
            madd(&c00, f0, bp[0])
            if count > 1 { madd(&c10, f0, bp[1]) }
            if count > 2 { madd(&c20, f0, bp[2]) }
            if count > 3 { madd(&c30, f0, bp[3]) }
            ap += 8
            bp += ldb
            left -= 1
        }
        let b8 = w(bias)
        @inline(__always) func put(_ v: V8, _ q: Int) { for r in 0..<8 { c[r * ldc + q] = rectify(v[r]) } }
        put(b8 + ((c00 + c01) + (c02 + c03)), 0)
        if count > 1 { put(b8 + ((c10 + c11) + (c12 + c13)), 1) }
        if count > 2 { put(b8 + ((c20 + c21) + (c22 + c23)), 2) }
        if count > 3 { put(b8 + ((c30 + c31) + (c32 + c33)), 3) }
    }

    /// 8 rows x 16 columns.
    @inline(__always)
    private static func kernel8x16(_ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int,
                                   _ bias: UnsafePointer<Float>, _ rectify: Rectifier16,
                                   _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c0 = V(repeating: bias[0]), c1 = V(repeating: bias[1]), c2 = V(repeating: bias[2]), c3 = V(repeating: bias[3])
        var c4 = V(repeating: bias[4]), c5 = V(repeating: bias[5]), c6 = V(repeating: bias[6]), c7 = V(repeating: bias[7])
        var ap = a, bp = b
        for _ in 0..<k {
            xai_prefetch(ap + filterPrefetch)
            let b0 = load(bp)
            madd(&c0, V(repeating: ap[0]), b0); madd(&c1, V(repeating: ap[1]), b0)
            madd(&c2, V(repeating: ap[2]), b0); madd(&c3, V(repeating: ap[3]), b0)
            madd(&c4, V(repeating: ap[4]), b0); madd(&c5, V(repeating: ap[5]), b0)
            madd(&c6, V(repeating: ap[6]), b0); madd(&c7, V(repeating: ap[7]), b0)
            ap += 8
            bp += ldb
        }
        store(rectify(c0), c); store(rectify(c1), c + ldc); store(rectify(c2), c + 2 * ldc); store(rectify(c3), c + 3 * ldc)
        store(rectify(c4), c + 4 * ldc); store(rectify(c5), c + 5 * ldc); store(rectify(c6), c + 6 * ldc); store(rectify(c7), c + 7 * ldc)
    }
}
