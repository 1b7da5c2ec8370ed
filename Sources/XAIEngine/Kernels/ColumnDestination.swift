import CKernels

/// Where the columns of C go: column j belongs to item j / itemColumns and lands in that
/// item's [M, itemColumns] plane (several batch items can share one product). With a
/// `residual` of the same layout, C = rectify(W * B + bias + residual): the residual Add
/// after a conv (and the rectifier after that) done on each block while it is in cache.
/// The residual may be C itself (`residualInPlace`): the sum then goes into the residual's
/// storage, and the lines a store must fetch anyway bring the residual with them.
struct ColumnDestination {
    let base: UnsafeMutablePointer<Float>
    let itemColumns: Int
    let channels: Int
    var residual: UnsafePointer<Float>? = nil

    /// Row `row`, column `j`: base + (item * M + row) * P + (j - item * P).
    @inline(__always)
    func address(row: Int, column j: Int) -> UnsafeMutablePointer<Float> {
        let item = j / itemColumns
        return base + (item * channels + row) * itemColumns + j - item * itemColumns
    }

    /// Writes `rows` rows of a block (row stride `ld`) holding `columns`, one run per item.
    func copy(_ block: UnsafePointer<Float>, ld: Int, rows: Int, fromRow row0: Int, columns: Range<Int>) {
        var j = columns.lowerBound
        while j < columns.upperBound {
            let end = min(columns.upperBound, (j / itemColumns + 1) * itemColumns)
            for r in 0..<rows {
                address(row: row0 + r, column: j).update(from: block + r * ld + j - columns.lowerBound, count: end - j)
            }
            j = end
        }
    }

    /// Whether the residual is C itself: blocks then go through scratch and `accumulate`, since
    /// a kernel's store would overwrite the residual before it is read.
    var residualInPlace: Bool { residual == UnsafePointer(base) }

    /// C = rectify(C + block) on `rows` rows of `columns` (the block's row stride `ld`): the
    /// residual in place. The same float additions as `addResidual` (which adds the residual
    /// to the product), so the same bits.
    func accumulate(_ block: UnsafePointer<Float>, ld: Int, rows: Int, fromRow row0: Int, columns: Range<Int>,
                    _ rectify: Rectifier16) {
        add(rows: rows, fromRow: row0, columns: columns, rectify) { _, j in (block + j - columns.lowerBound, ld) }
    }

    /// The rectifier the product's kernels apply: none when a residual is still to be added.
    func kernelRectifier(_ rectify: Rectifier16) -> Rectifier16 {
        residual == nil ? rectify : Rectifier16(nil)
    }

    /// Asks for the residual under `rows` rows of `columns` (at most 48, one item): read right
    /// after the product, these strided 8-row blocks otherwise wait on memory (the prefetcher
    /// follows long runs, not these).
    @inline(__always)
    func prefetchResidual(rows: Int, fromRow row0: Int, columns: Range<Int>) {
        guard let p = residual(row: row0, column: columns.lowerBound) else { return }
        for r in 0..<rows {
            let row = p + r * itemColumns
            xai_prefetch(row)
            xai_prefetch(row + columns.count - 1)
            if columns.count > 16 { xai_prefetch(row + 16) }
            if columns.count > 32 { xai_prefetch(row + 32) }
        }
    }

    /// The residual under row `row`, column `j` (row stride `itemColumns`); nil without one.
    @inline(__always)
    func residual(row: Int, column j: Int) -> UnsafePointer<Float>? {
        residual.map { $0 + (address(row: row, column: j) - base) }
    }

    /// C = rectify(C + residual) on `rows` rows of `columns` just written (no-op without a residual).
    @inline(__always)
    func addResidual(rows: Int, fromRow row0: Int, columns: Range<Int>, _ rectify: Rectifier16) {
        guard let residual else { return }
        add(rows: rows, fromRow: row0, columns: columns, rectify) { c0, _ in (residual + (c0 - base), itemColumns) }
    }

    /// C = rectify(C + a) on `rows` rows of `columns`, one run per item: `addend(c0, j)` gives the
    /// addend under C's run starting at column j (c0, its first row) and the addend's row stride.
    @inline(__always)
    private func add(rows: Int, fromRow row0: Int, columns: Range<Int>, _ rectify: Rectifier16,
                     addend: (UnsafeMutablePointer<Float>, Int) -> (UnsafePointer<Float>, Int)) {
        typealias V = SIMD16<Float>
        var j = columns.lowerBound
        while j < columns.upperBound {
            let end = min(columns.upperBound, (j / itemColumns + 1) * itemColumns), n = end - j
            let c0 = address(row: row0, column: j), (a0, ld) = addend(c0, j)
            for r in 0..<rows {
                let c = c0 + r * itemColumns, a = a0 + r * ld
                var q = 0
                while q + 16 <= n {
                    let v = UnsafeRawPointer(c + q).loadUnaligned(as: V.self) + UnsafeRawPointer(a + q).loadUnaligned(as: V.self)
                    UnsafeMutableRawPointer(c + q).storeBytes(of: rectify(v), as: V.self)
                    q += 16
                }
                while q < n {
                    c[q] = rectify(c[q] + a[q])
                    q += 1
                }
            }
            j = end
        }
    }
}
