import CKernels

/// The packed GEMM with bf16 operands and float32 accumulation: per column tile, B's columns
/// are rounded and packed once as k pairs in column blocks of 32 ([k/2][32][2] each, CKernels'
/// xai_bf16_pack_blocks), then the filters run over them:
/// on AMX tiles where the CPU has them (32 x 32 outputs per step of 32 k, CKernels'
/// xai_amx_gemm), else every 8-row panel of the bf16 filters 32 columns at a time
/// (xai_bf16_gemm_panel, which applies bias and rectifier before its single store), then 16,
/// then the last few columns one by one (xai_bf16_gemm_columns). vdpbf16ps does two
/// multiply-adds per lane where an FMA does one, but ran at half the FMA's rate on this host;
/// one TDPBF16PS does 8192 (a C microbenchmark of Lite0's projection shapes on one core,
/// 2026-12-06: 215-367 G multiply-adds per second against 39-59 for the vdpbf16ps panels).
extension PackedFilters {
    /// The filters in bf16 panels of 8 rows, packed on first use.
    var bf16Rows: BF16Rows {
        bf16.get { rowMajor { BF16Rows(weights: $0, m: m, k: k, rowsPerPanel: Self.rows) } }
    }

    /// The filters as AMX rows, packed on first use.
    var amxRows: AMXRows {
        amx.get { rowMajor { AMXRows(weights: $0, m: m, k: k) } }
    }

    /// `body` on the filters back in row-major [m, k] float32, from the [panel][k][8] panels.
    private func rowMajor<T>(_ body: (UnsafePointer<Float>) -> T) -> T {
        var weights = [Float](repeating: 0, count: m * k)
        let r = Self.rows
        for i in 0..<m {
            let panel = data + (i / r) * k * r + i % r
            for j in 0..<k { weights[i * k + j] = panel[j * r] }
        }
        return weights.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension PackedGEMM {
    /// Pair rows per column block of a bf16 B of depth k (CKernels' xai_bf16_pack_blocks): AMX
    /// tile steps take k padded to 32.
    static func blockPairs(k: Int) -> Int { Precision.useAMX ? xai_amx_kpad(k) / 2 : (k + 1) / 2 }

    /// Halves of the column blocks of n columns of depth k. A producing step's columns run on
    /// across items, so a 7x7 map's 49 pixels take 1.5 column blocks, not 2 (four items: 7
    /// blocks where one item at a time took 8 and computed 64 columns for every 49).
    static func blockHalves(k: Int, n: Int) -> Int { (n + 31) / 32 * blockPairs(k: k) * 64 }

    /// C = rectify(W * B + bias) for `n` columns (the pixels of all items, one after the other),
    /// B given as bf16 column blocks (`blockHalves`; a producing step wrote them), so no tile
    /// packs B again. Equal bit for bit to `multiply` in bf16 on the same values.
    static func multiply(_ w: PackedFilters, pairs: UnsafePointer<UInt16>, n: Int,
                         rectify: Rectifier16, into dst: ColumnDestination) {
        forEachUnit(w, n: n, align: tileAlignment(.bf16)) { panels, columns in
            // Tiles start at multiples of 32 columns, so at a column block.
            let start = columns.lowerBound / 32 * blockPairs(k: w.k) * 64
            runBF16(w, packed: pairs + start, panels: panels, columns: columns, rectify: rectify, into: dst)
        }
    }

    /// Row panels `panels` over the columns `columns`, in bf16: B's tile is packed into column
    /// blocks first (with AMX item by item, each item from a block's start). xai_amx_gemm would
    /// take a tile's items as one run of blocks, but in a C harness of Lite0's 320 -> 1280 conv
    /// one product over eight 7x7 items took 378 us against 8 x 37 for one item at a time.
    static func runBF16(_ w: PackedFilters, b: UnsafePointer<Float>, ldb: Int, panels: Range<Int>,
                        columns: Range<Int>, rectify: Rectifier16, into dst: ColumnDestination) {
        let kp2 = blockPairs(k: w.k)
        var column = columns.lowerBound
        while column < columns.upperBound {
            let end = Precision.useAMX ? min(columns.upperBound, (column / dst.itemColumns + 1) * dst.itemColumns) : columns.upperBound
            Scratch.with(UInt16.self, count: blockHalves(k: w.k, n: end - column)) { blocks in
                xai_bf16_pack_blocks(b + column, ldb, w.k, end - column, kp2, blocks)
                runBF16(w, packed: blocks, panels: panels, columns: column..<end, rectify: rectify, into: dst)
            }
            column = end
        }
    }

    /// Column blocks this narrow run on xai_bf16_gemm_columns (one vdpbf16ps per column and two
    /// k pairs, about one cycle a k pair each), wider ones on the panel kernel (eight per k pair
    /// for up to 16 columns).
    static let fewColumnsBF16 = 6

    /// Row panels `panels` over the columns `columns` of B in column blocks (`packed`: the
    /// tile's first block); AMX column blocks may straddle items.
    static func runBF16(_ w: PackedFilters, packed bp: UnsafePointer<UInt16>, panels: Range<Int>,
                        columns: Range<Int>, rectify: Rectifier16, into dst: ColumnDestination) {
        precondition(!dst.residualInPlace, "bf16 products may store into C before adding the residual")
        let r = PackedFilters.rows
        let bounds = xai_rectifier(dst.kernelRectifier(rectify))
        if Precision.useAMX {
            // All the unit's rows at once, straight into C.
            let a = w.amxRows, row0 = panels.lowerBound * r, rows = min(w.m, panels.upperBound * r) - row0
            xai_amx_gemm(w.k, a.row(row0), bp, w.bias + row0, bounds, dst.address(row: row0, column: 0), dst.itemColumns,
                         dst.channels * dst.itemColumns, rows, columns.lowerBound, columns.count)
            dst.addResidual(rows: rows, fromRow: row0, columns: columns, rectify)
            return
        }
        let a = w.bf16Rows, width = columns.count, k2 = a.pairs
        Scratch.with(Float.self, count: r * 32) { scratch in
            for p in panels {
                let row0 = p * r, rows = min(r, w.m - row0)
                var j = 0
                while j < width {
                    // 32, then 16, then the few left (a 7x7 map: 32 + 16 + 1; as 32 + 17 the 17 cost 32).
                    let left = width - j, block = left >= 32 ? 32 : left >= 16 ? 16 : left
                    let column = columns.lowerBound + j
                    // Straight into C when the block is whole (8 rows, one item); else via scratch.
                    let direct = rows == r && column / dst.itemColumns == (column + block - 1) / dst.itemColumns
                    let c = direct ? dst.address(row: row0, column: column) : scratch
                    let (ap, ldc) = (a.data + p * a.panelStride, direct ? dst.itemColumns : 32)
                    // Column j of its block's pair rows, 32 pairs apart.
                    let bj = bp + j / 32 * k2 * 64 + 2 * (j % 32)
                    dst.prefetchResidual(rows: rows, fromRow: row0, columns: column..<(column + block))
                    // A whole block adds its residual in the panel kernel, before its one store.
                    let residual = direct && block > Self.fewColumnsBF16 ? dst.residual(row: row0, column: column) : nil
                    if block <= Self.fewColumnsBF16 {
                        xai_bf16_gemm_columns(k2, ap, bj, 32, w.bias + row0, bounds, c, ldc, rows, block)
                    } else {
                        xai_bf16_gemm_panel(k2, ap, bj, 32, w.bias + row0, residual, dst.itemColumns,
                                            residual == nil ? bounds : xai_rectifier(rectify), c, ldc, rows, block)
                    }
                    if !direct { dst.copy(scratch, ld: 32, rows: rows, fromRow: row0, columns: column..<(column + block)) }
                    if residual == nil { dst.addResidual(rows: rows, fromRow: row0, columns: column..<(column + block), rectify) }
                    j += block
                }
            }
        }
    }
}
