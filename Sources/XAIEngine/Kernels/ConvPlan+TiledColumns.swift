import XAICore

/// im2col one column tile at a time for the packed GEMM (group-1 convs that are not
/// pointwise: stems, strided 3x3 and 1x1 convs), and col2im one band of output rows at a time
/// for their input gradient (backwardInputTiled). Each unit fills its tile's columns [K, tile]
/// (about 512 KB, PackedGEMM.forEachUnit) into its own buffer, which stays in the core's cache
/// while every row panel of its group passes over it. Filling a chunk's columns first wrote them
/// all to memory and read them back: ResNet-50's stem alone has 7.4 MB of columns per image, its
/// strided 3x3 convs 3.6 MB each. The products, and so the results, are those of the whole-chunk
/// path to the bit.
extension ConvPlan {
    /// Chunks with fewer columns (floats) fill them all first: smaller ones mostly stay in
    /// cache anyway, and a tile split by row panels fills its columns once per group. Measured
    /// at batch 1, ResNet-50's 7x7-output 3x3 conv (a single 49-column tile) took 1.7x as long
    /// tiled, its stem (1.8 M floats) 0.78x.
    static let tiledColumnFloats = 1 << 20

    /// y (`dst`) = rectify(conv(x)) for items first..<first + count of x [N, C, h, w] (NCHW),
    /// output maps ho x wo, on the packed filters.
    func forwardTiled(_ x: UnsafePointer<Float>, first: Int, count: Int, c: Int, h: Int, w: Int, ho: Int, wo: Int,
                      packed: PackedFilters, into dst: ColumnDestination, precision: Precision) {
        precondition(groups == 1 && packed.k == groupK)
        let howo = ho * wo, cols = count * howo, k = groupK
        let rectify = Rectifier16(activation)
        PackedGEMM.forEachUnit(packed, n: cols, align: PackedGEMM.tileAlignment(precision)) { panels, columns in
            Scratch.with(Float.self, count: k * columns.count) { b in
                let width = columns.count
                fillColumns(x, first: first, c: c, h: h, w: w, ho: ho, wo: wo, columns: columns, into: b, ld: width)
                // Column j of the product is at b + (j - columns.lowerBound).
                let origin = UnsafePointer(b) - columns.lowerBound
                if precision == .bf16 {
                    PackedGEMM.runBF16(packed, b: origin, ldb: width, panels: panels, columns: columns, rectify: rectify, into: dst)
                } else {
                    PackedGEMM.run(packed, b: origin, ldb: width, panels: panels, columns: columns, rectify: rectify, into: dst)
                }
            }
        }
    }

    /// The im2col rows [K][columns] of chunk columns `columns` (column j: item first + j / (ho * wo),
    /// output pixel j % (ho * wo)) into `col` (row stride `ld`).
    private func fillColumns(_ x: UnsafePointer<Float>, first: Int, c: Int, h: Int, w: Int, ho: Int, wo: Int,
                             columns: Range<Int>, into col: UnsafeMutablePointer<Float>, ld: Int) {
        let howo = ho * wo
        for kj in 0..<kw {
            let valid = validColumns(kj: kj, w: w, wo: wo)
            for ch in 0..<c {
                for ki in 0..<kh {
                    let row = col + ((ch * kh + ki) * kw + kj) * ld
                    var j = columns.lowerBound
                    while j < columns.upperBound {
                        // One run of an output row of one item.
                        let item = j / howo, pixel = j % howo
                        let (oh, ow) = (pixel / wo, pixel % wo)
                        let end = min(wo, ow + columns.upperBound - j)
                        im2colRow(x + ((first + item) * c + ch) * h * w, h: h, w: w, oh: oh, ki: ki, kj: kj, valid: valid,
                                  columns: ow..<end, into: row + (j - columns.lowerBound))
                        j += end - ow
                    }
                }
            }
        }
    }

    /// dx [n, C, h, w] = col2im(W^T dy) for dy [n, M, ho, wo] (NCHW), band by band of dy's rows:
    /// each band's product [K, rows * wo] (about 1 MB) is folded into dx while it is in cache.
    /// Whole, ResNet-50's stem wrote 7.4 MB of W^T dy per image and col2im read it back: the
    /// stem's input gradient was the largest step of its batch-16 backward (3 ms an image).
    /// Bands add a dx value's terms in another order than the whole product does (by band, then
    /// kernel tap), so the two differ in the last bits; smaller products keep the whole path.
    func backwardInputTiled(_ dy: UnsafePointer<Float>, n: Int, c: Int, h: Int, w: Int, ho: Int, wo: Int,
                            packed: PackedFilters, into dx: UnsafeMutablePointer<Float>, workspace ws: Workspace) {
        precondition(groups == 1 && packed.k == outChannels && packed.m == groupK)
        let k = groupK, m = outChannels, howo = ho * wo
        let bandRows = max(1, min(ho, (1 << 18) / max(1, k * wo)))
        let col = ws.buffer(0, k * bandRows * wo)
        for i in 0..<n {
            let dxi = dx + i * c * h * w
            dxi.update(repeating: 0, count: c * h * w)
            var oy = 0
            while oy < ho {
                let band = oy..<min(ho, oy + bandRows), cols = band.count * wo
                PackedGEMM.multiply(packed, b: dy + i * m * howo + oy * wo, ldb: howo, n: cols, rectify: Rectifier16(nil),
                                    into: ColumnDestination(base: col, itemColumns: cols, channels: k))
                Parallel.forRanges(c) { r in
                    for ch in r {
                        col2im(col + ch * kh * kw * cols, ld: cols, h: h, w: w, ho: ho, wo: wo, rows: band,
                               into: dxi + ch * h * w)
                    }
                }
                oy = band.upperBound
            }
        }
    }
}
