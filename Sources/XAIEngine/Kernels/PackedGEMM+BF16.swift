import CKernels

/// The packed GEMM with bf16 operands and float32 accumulation: per column tile, B's columns
/// are rounded and packed as k pairs ([k/2][columns][2]) once, then every 8-row panel of the
/// bf16 filters runs over them 32 columns at a time (CKernels' xai_bf16_gemm_panel, which
/// applies bias and rectifier before its single store), then 16, then the last few columns
/// one by one (xai_bf16_gemm_columns). vdpbf16ps does two multiply-adds per lane where an FMA
/// does one.
extension PackedFilters {
    /// The filters in bf16 panels of 8 rows, packed on first use.
    var bf16Rows: BF16Rows {
        bf16.get {
            // Back to row-major [m, k] from the [panel][k][8] float32 panels.
            var rowMajor = [Float](repeating: 0, count: m * k)
            let r = Self.rows
            for i in 0..<m {
                let panel = data + (i / r) * k * r + i % r
                for j in 0..<k { rowMajor[i * k + j] = panel[j * r] }
            }
            return rowMajor.withUnsafeBufferPointer { BF16Rows(weights: $0.baseAddress!, m: m, k: k, rowsPerPanel: r) }
        }
    }
}

extension PackedGEMM {
    /// C = rectify(W * B + bias) with B given as bf16 pairs [k/2][ldb][2] (the layout
    /// xai_bf16_pack_columns makes; a producing step wrote it, see ExpandDepthwise+BF16.swift),
    /// so no tile packs B again. Equal bit for bit to `multiply` in bf16 on the same values.
    static func multiply(_ w: PackedFilters, pairs: UnsafePointer<UInt16>, ldb: Int, n: Int,
                         rectify: Rectifier16, into dst: ColumnDestination) {
        let a = w.bf16Rows
        forEachUnit(w, n: n) { panels, columns in
            runBF16(w, a, packed: pairs + 2 * columns.lowerBound, ldb: ldb, panels: panels, columns: columns,
                    rectify: rectify, into: dst)
        }
    }

    /// Row panels `panels` over the columns `columns`, in bf16: B's tile is packed first.
    static func runBF16(_ w: PackedFilters, _ a: BF16Rows, b: UnsafePointer<Float>, ldb: Int, panels: Range<Int>,
                        columns: Range<Int>, rectify: Rectifier16, into dst: ColumnDestination) {
        let width = columns.count
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: a.pairs * width * 2) { packed in
            xai_bf16_pack_columns(b + columns.lowerBound, ldb, w.k, width, packed.baseAddress!)
            runBF16(w, a, packed: packed.baseAddress!, ldb: width, panels: panels, columns: columns, rectify: rectify, into: dst)
        }
    }

    /// Column blocks this narrow run on xai_bf16_gemm_columns (one vdpbf16ps per column and two
    /// k pairs, about one cycle a k pair each), wider ones on the panel kernel (eight per k pair
    /// for up to 16 columns).
    static let fewColumnsBF16 = 6

    /// Row panels `panels` over the columns `columns` of packed B (`packed`: the tile's first
    /// column; `ldb` pairs between k pairs).
    static func runBF16(_ w: PackedFilters, _ a: BF16Rows, packed bp: UnsafePointer<UInt16>, ldb: Int, panels: Range<Int>,
                        columns: Range<Int>, rectify: Rectifier16, into dst: ColumnDestination) {
        let width = columns.count, k2 = a.pairs, r = PackedFilters.rows
        let bounds = xai_rectifier(dst.kernelRectifier(rectify))
        withUnsafeTemporaryAllocation(of: Float.self, capacity: r * 32) { buffer in
            let scratch = buffer.baseAddress!
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
                    let (ap, bj, ldc) = (a.data + p * a.panelStride, bp + 2 * j, direct ? dst.itemColumns : 32)
                    dst.prefetchResidual(rows: rows, fromRow: row0, columns: column..<(column + block))
                    if block <= Self.fewColumnsBF16 {
                        xai_bf16_gemm_columns(k2, ap, bj, ldb, w.bias + row0, bounds, c, ldc, rows, block)
                    } else {
                        xai_bf16_gemm_panel(k2, ap, bj, ldb, w.bias + row0, bounds, c, ldc, rows, block)
                    }
                    if !direct { dst.copy(scratch, ld: 32, rows: rows, fromRow: row0, columns: column..<(column + block)) }
                    dst.addResidual(rows: rows, fromRow: row0, columns: column..<(column + block), rectify)
                    j += block
                }
            }
        }
    }
}
