import CKernels
import XAICore

/// Stride-1 3x3 group-1 convolutions by Winograd F(4x4, 3x3) or F(2x2, 3x3)
/// (WinogradTransform.swift), NCHW, in three passes over a chunk of items, each split across the
/// cores (for F(4x4)):
///  1. each input plane, zero-padded, is cut into overlapping 6x6 patches (one per 4x4 output
///     block) and transformed, 16 blocks at a time: V [36][C][columns], a column per block;
///  2. 36 products on the packed GEMM, U_xi [M, C] x V_xi [C, columns] -> [36][M][columns];
///  3. each output block is transformed back, bias and rectifier applied, and written to NCHW.
/// F(2x2) the same with 4x4 patches, 2x2 blocks and 16 products.
/// The forward pass and the input gradient (the conv of dy with flipped, transposed filters
/// and the complementary padding) share this code.
enum WinogradConvolution {
    /// Least number of 4x4 output blocks per item worth the transforms. Below it (ResNet-50's
    /// 7x7 stage has 4) the Winograd filters, four times the weights, are read for a handful of
    /// columns and the products are memory-bound; im2col + GEMM reads the weights once.
    static let minBlocks = 16
    /// Least columns (blocks of all the call's items) worth them where the call may choose by
    /// its item count (`Workspace.itemsAlike` false). A 14x14 map of one image has 16 blocks:
    /// its 36 products read the Winograd filters (2.4 MB for 256 channels) for 16 columns each,
    /// and the three passes split poorly across the cores (CPU/wall 1.6); im2col + GEMM took
    /// ResNet-50's five such layers at batch 1 in 8.6-10.0 ms against 11.8-12.2 (step profiles).
    static let minColumns = 32
    /// Whether the patches come by AVX-512 gathers (xai_winograd_patches) and F(4x4)'s blocks
    /// go out by a register transpose (xai_winograd_store4), else value by value
    /// (`gathersAvailable`, unless a test switched it off between passes).
    static let gathersAvailable = xai_direct_supported() != 0
    static var gathers = gathersAvailable

    /// Columns (blocks of all items in a chunk) worth aiming for in one product.
    static let targetColumns = 256
    /// Upper bound on the transformed input or output of one chunk (floats).
    static let maxChunkFloats = 1 << 22

    struct Geometry {
        /// Input plane.
        let h: Int, w: Int
        /// Output plane.
        let ho: Int, wo: Int
        let padTop: Int, padLeft: Int
        var tile = WinogradTile.four

        var tilesY: Int { (ho + tile.block - 1) / tile.block }
        var tilesX: Int { (wo + tile.block - 1) / tile.block }
        var blocks: Int { tilesY * tilesX }
        /// Columns per item: items shorter than one 16-lane group are padded to 16.
        var itemColumns: Int { max(blocks, 16) }
        /// The zero-padded input plane every patch is read from.
        var paddedHeight: Int { tile.block * tilesY + 2 }
        var paddedWidth: Int { tile.block * tilesX + 2 }
    }

    /// Whether a conv with output maps ho x wo of `items` images should run here.
    static func worthwhile(ho: Int, wo: Int, items: Int, itemsAlike: Bool) -> Bool {
        let blocks = ((ho + 3) / 4) * ((wo + 3) / 4)
        return blocks >= minBlocks && (itemsAlike || items * blocks >= minColumns)
    }

    /// y [n, M, ho, wo] = conv3x3(x [n, C, h, w]) with `filters` (one packed [M, C] per point of
    /// `g.tile`), plus bias and rectifier.
    static func run(_ x: UnsafePointer<Float>, n: Int, c: Int, _ g: Geometry, filters: [PackedFilters],
                    bias: [Float]?, rectify: Rectifier16, into y: UnsafeMutablePointer<Float>, workspace ws: Workspace) {
        let m = filters[0].m
        let points = g.tile.points
        precondition(filters.count == points)
        let perItem = points * max(c, m) * g.itemColumns
        let per = max(1, min(n, (targetColumns + g.itemColumns - 1) / g.itemColumns, maxChunkFloats / perItem))
        var n0 = 0
        while n0 < n {
            let cnt = min(per, n - n0)
            let cols = cnt * g.itemColumns
            let v = ws.buffer(0, points * c * cols)
            let prod = ws.buffer(1, points * m * cols)
            Parallel.forRanges(cnt * c, grain: 2) { r in
                for t in r {
                    let (i, ch) = (t / c, t % c)
                    transformInput(x + ((n0 + i) * c + ch) * g.h * g.w, g,
                                   into: v + ch * cols + i * g.itemColumns, pointStride: c * cols)
                }
            }
            let tile = PackedGEMM.tileColumns(k: c, n: cols)
            let tiles = (cols + tile - 1) / tile
            Parallel.forRanges(points * tiles) { r in
                for u in r {
                    let (xi, t) = (u / tiles, u % tiles)
                    PackedGEMM.run(filters[xi], b: v + xi * c * cols, ldb: cols, panels: 0..<filters[xi].panels,
                                   columns: (t * tile)..<min(cols, (t + 1) * tile), rectify: Rectifier16(nil),
                                   into: ColumnDestination(base: prod + xi * m * cols, itemColumns: cols, channels: m))
                }
            }
            Parallel.forRanges(cnt * m, grain: 2) { r in
                for t in r {
                    let (i, ch) = (t / m, t % m)
                    transformOutput(prod + ch * cols + i * g.itemColumns, pointStride: m * cols, g, bias: bias?[ch] ?? 0,
                                    rectify: rectify, into: y + ((n0 + i) * m + ch) * g.ho * g.wo)
                }
            }
            n0 += cnt
        }
    }

    /// First block of each 16-lane group: the last group moves back to end at the last block
    /// (redoing a few), so no group reads or writes past its item.
    @inline(__always)
    private static func groupStart(_ g0: Int, blocks: Int) -> Int {
        blocks >= 16 ? min(g0, blocks - 16) : 0
    }

    /// One input plane -> its blocks' transformed patches: value xi of block b at
    /// dst[xi * pointStride + b].
    private static func transformInput(_ plane: UnsafePointer<Float>, _ g: Geometry,
                                       into dst: UnsafeMutablePointer<Float>, pointStride: Int) {
        let (ph, pw) = (g.paddedHeight, g.paddedWidth)
        let (b, size) = (g.tile.block, g.tile.patch)
        Scratch.with(Float.self, count: ph * pw + g.tile.points * 16) { padded in
            let patches = padded + ph * pw
            padded.initialize(repeating: 0, count: ph * pw)
            // Rows and columns past the padded plane are never read by an output block.
            let rows = min(g.h, ph - g.padTop), columns = min(g.w, pw - g.padLeft)
            for iy in 0..<max(0, rows) {
                (padded + (iy + g.padTop) * pw + g.padLeft).update(from: plane + iy * g.w, count: max(0, columns))
            }
            var offsets = SIMD16<Int32>()
            var g0 = 0
            while g0 < g.blocks {
                let t0 = groupStart(g0, blocks: g.blocks)
                for lane in 0..<16 {
                    let block = t0 + lane
                    // Lanes past the item's blocks (fewer than 16) read block 0: their columns
                    // are computed and never written out.
                    offsets[lane] = block < g.blocks ? Int32((block / g.tilesX) * b * pw + (block % g.tilesX) * b) : 0
                }
                if gathers {
                    withUnsafePointer(to: &offsets) {
                        $0.withMemoryRebound(to: Int32.self, capacity: 16) { xai_winograd_patches(padded, $0, pw, size, patches) }
                    }
                } else {
                    for lane in 0..<16 {
                        for r in 0..<size {
                            let row = padded + Int(offsets[lane]) + r * pw, out = patches + r * size * 16 + lane
                            for j in 0..<size { out[16 * j] = row[j] }
                        }
                    }
                }
                g.tile.transformInput(patches)
                for xi in 0..<g.tile.points {
                    (dst + xi * pointStride + t0).update(from: patches + xi * 16, count: 16)
                }
                g0 += 16
            }
        }
    }

    /// One output channel of one item: its blocks' products (value xi of block b at
    /// src[xi * pointStride + b]) -> the output plane [ho, wo], bias and rectifier applied.
    private static func transformOutput(_ src: UnsafePointer<Float>, pointStride: Int, _ g: Geometry, bias: Float,
                                        rectify: Rectifier16, into plane: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let b = g.tile.block
        // F(4x4) blocks go out through xai_winograd_store4 (a register transpose), with each
        // lane's place in `placement`: offsets, rows, columns.
        let transposed = gathers && b == 4
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * 16 + 48) { buffer in
            let out = buffer.baseAddress!
            let placement = UnsafeMutableRawPointer(out + 256).bindMemory(to: Int32.self, capacity: 48)
            let vb = V(repeating: bias)
            var g0 = 0
            while g0 < g.blocks {
                let t0 = groupStart(g0, blocks: g.blocks)
                g.tile.transformOutput(src + t0, stride: pointStride, into: out)
                for q in 0..<(b * b) {
                    let p = UnsafeMutableRawPointer(out + 16 * q)
                    p.storeBytes(of: rectify(p.load(as: V.self) + vb), as: V.self)
                }
                // Lanes before g0 belong to blocks an earlier group wrote.
                let lanes = (g0 - t0)..<min(16, g.blocks - t0)
                for lane in lanes {
                    let block = t0 + lane
                    let oy = (block / g.tilesX) * b, ox = (block % g.tilesX) * b
                    let rows = min(b, g.ho - oy), columns = min(b, g.wo - ox)
                    if transposed {
                        (placement[lane], placement[16 + lane], placement[32 + lane]) = (Int32(oy * g.wo + ox), Int32(rows), Int32(columns))
                        continue
                    }
                    for i in 0..<rows {
                        let row = plane + (oy + i) * g.wo + ox, v = out + i * b * 16 + lane
                        if columns == 4 {
                            row[0] = v[0]; row[1] = v[16]; row[2] = v[32]; row[3] = v[48]
                        } else if columns == 2 {
                            row[0] = v[0]; row[1] = v[16]
                        } else {
                            for j in 0..<columns { row[j] = v[16 * j] }
                        }
                    }
                }
                if transposed {
                    xai_winograd_store4(out, lanes.lowerBound, lanes.upperBound, placement, placement + 16, placement + 32,
                                        plane, g.wo)
                }
                g0 += 16
            }
        }
    }
}

extension ConvPlan {
    /// Forward on Winograd when this conv has its filters, the maps are big enough and the pass
    /// does not need exact locality (Workspace.exactLocality): on the variant that beats the
    /// direct kernel (preferredWinograd), else where the direct kernel does not run, on F(4x4)
    /// where it is worthwhile; else nil.
    func winogradForward(_ x: Tensor, workspace ws: Workspace) -> Tensor? {
        guard let winograd, !ws.exactLocality, x.shape.count == 4 else { return nil }
        let yShape = outputShape(x.shape)
        guard let tile = preferredWinograd(ho: yShape[2], wo: yShape[3], ws)
                ?? (WinogradConvolution.worthwhile(ho: yShape[2], wo: yShape[3], items: x.shape[0], itemsAlike: ws.itemsAlike)
                    ? .four : nil) else { return nil }
        let g = WinogradConvolution.Geometry(h: x.shape[2], w: x.shape[3], ho: yShape[2], wo: yShape[3],
                                             padTop: attrs.pads.top, padLeft: attrs.pads.left, tile: tile)
        let filters = winograd.forward(tile)
        return ws.tensor(yShape) { y, _ in
            x.data.withUnsafeBufferPointer { xb in
                WinogradConvolution.run(xb.baseAddress!, n: x.shape[0], c: inChannels, g, filters: filters, bias: bias,
                                        rectify: Rectifier16(activation), into: y, workspace: ws)
            }
        }
    }

    /// dx of a stride-1 3x3 conv as the conv of dy with the flipped, transposed filters and
    /// padding 2 - pad on each side (nil when a pad exceeds 2 or the maps are small).
    func winogradBackwardInput(_ dy: Tensor, inputShape: [Int], workspace ws: Workspace) -> Tensor? {
        guard let winograd else { return nil }
        let p = attrs.pads
        guard max(p.top, p.left, p.bottom, p.right) <= 2,
              WinogradConvolution.worthwhile(ho: inputShape[2], wo: inputShape[3], items: dy.shape[0],
                                                itemsAlike: ws.itemsAlike) else { return nil }
        let g = WinogradConvolution.Geometry(h: dy.shape[2], w: dy.shape[3], ho: inputShape[2], wo: inputShape[3],
                                             padTop: 2 - p.top, padLeft: 2 - p.left)
        let filters = winograd.backward
        return ws.tensor(inputShape) { dx, _ in
            dy.data.withUnsafeBufferPointer { db in
                WinogradConvolution.run(db.baseAddress!, n: dy.shape[0], c: outChannels, g, filters: filters, bias: nil,
                                        rectify: Rectifier16(nil), into: dx, workspace: ws)
            }
        }
    }
}
