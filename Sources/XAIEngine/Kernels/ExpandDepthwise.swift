import CKernels
import Foundation
import XAICore

/// A group-1 conv whose only reader is a depthwise conv (the 1x1 expansion of a MobileNetV2 /
/// EfficientNet inverted-residual block, or the stem before the first depthwise conv), run as
/// one step when its output need not be kept. For each 16-channel block the conv writes its
/// outputs straight into the depthwise kernel's zero-padded [row][column][16] block,
/// `chunkPixels` pixels at a time, and the depthwise rows whose inputs are then complete run at
/// once, while those rows are still in cache. The conv's NCHW output (4.8 MB per image after
/// Lite0's first expansion) is neither written, read back, nor transposed into the block.
final class ExpandDepthwise: @unchecked Sendable {
    typealias Lanes = SIMD16<Float>
    let expand: ConvPlan
    let depthwise: ConvPlan
    /// Expansion filters by 16-channel block, [block][k][16], and biases [block][16].
    let byBlock: BlockFilters
    /// The expansion filters in bf16, packed by the first bf16 pass (ExpandDepthwise+BF16.swift).
    let bf16 = OnFirstUse<BF16Rows>()
    /// The same with k padded for AMX tile steps, made by the first bf16 pass that uses AMX.
    let amx = OnFirstUse<BF16Rows>()
    /// The depthwise setup (interleaved filters, pixel slots) of the last map size: remade on
    /// every call it was about 1% of a Lite0 image at batch 1 (200 K scalar copies a pass).
    /// Read-only once made, so passes on several threads share it.
    private let setupLock = NSLock()
    private var lastSetup: (h: Int, w: Int, setup: ConvPlan.BlockedSetup)?
    /// The same for the bf16 depthwise kernel (DepthwisePairRows), made by the first bf16 pass.
    private var lastPairRows: (h: Int, w: Int, setup: DepthwisePairRows)?

    /// Pixels expanded between two depthwise runs: the block's rows they fill and the input
    /// they read (k x 504 floats) stay in the core's L1 / L2 cache. A multiple of the pair
    /// kernel's 12 pixels, so only a map's last chunk has a few left for the one-pixel loop.
    static let chunkPixels = 504
    /// Output rows of the bf16 depthwise kernel computed and handed on as pairs at once: a
    /// chunk completes four or five rows of a 112-wide map.
    static let pairBatchRows = 8

    /// Whether `expand` is a group-1 conv into a multiple of 16 channels and `depthwise` a
    /// depthwise conv over exactly those channels.
    static func fits(expand: ConvPlan, depthwise: ConvPlan) -> Bool {
        let c = expand.outChannels
        return expand.groups == 1 && depthwise.isDepthwise && depthwise.inChannels == c
            && c % ConvPlan.laneCount == 0 && c > 0
    }

    /// A pair that `fits`.
    init(expand: ConvPlan, depthwise: ConvPlan) {
        precondition(Self.fits(expand: expand, depthwise: depthwise))
        self.expand = expand
        self.depthwise = depthwise
        byBlock = BlockFilters(expand)
    }

    /// Where the depthwise conv's output goes: float32 planes [N, C, Ho, Wo], bf16 channel
    /// pairs for a bf16 product that reads them (column blocks; ExpandDepthwise+BF16.swift),
    /// or the kernel's own pixel vectors [N][C/16][Ho * Wo][16] for a BlockedProjection.
    enum Output {
        case planes(UnsafeMutablePointer<Float>)
        case pairs(UnsafeMutablePointer<UInt16>)
        case blocks(UnsafeMutablePointer<Lanes>)

        var vectors: UnsafeMutablePointer<Lanes>? {
            if case let .blocks(v) = self { return v }
            return nil
        }
    }

    /// The fp32 form of the block's projection, made by the first pass that fuses it.
    let projection = OnFirstUse<BlockedProjection>()

    /// x [N, Cin, H, W] -> the depthwise conv's output [N, C, Ho, Wo].
    func forward(_ x: Tensor, workspace ws: Workspace) -> Tensor {
        ws.tensor(outputShape(x.shape)) { y, _ in forward(x, workspace: ws, into: .planes(y)) }
    }

    /// x [N, Cin, H, W] -> the output of `project`, the block's projection (the 1x1 conv that
    /// alone reads the depthwise output), which joins the step and takes the depthwise result in
    /// a layout the step writes without transposing it: the kernel's pixel vectors in fp32
    /// (BlockedProjection.swift), channel pairs in bf16 (ExpandDepthwise+BF16.swift).
    /// `residual` (shaped like the output) is added before `project`'s rectifier.
    func forwardProjected(_ x: Tensor, project: ConvPlan, residual: Tensor? = nil, workspace ws: Workspace) -> Tensor {
        let shape = outputShape(x.shape)
        if ws.precision == .bf16 {
            return forwardProjectedBF16(x, shape: shape, project: project, residual: residual, workspace: ws)
        }
        let blocked = projection.get { BlockedProjection(project) }
        // Cache-line aligned: the depthwise kernel stores whole pixel vectors.
        let count = shape[0] * shape[1] * shape[2] * shape[3], L = ConvPlan.laneCount
        let raw = UnsafeMutableRawPointer(ws.buffer(6, count + L)).alignedUp(toMultipleOf: 64)
        let vectors = raw.bindMemory(to: Lanes.self, capacity: count / L)
        forward(x, workspace: ws, into: .blocks(vectors))
        return blocked.forward(vectors, shape: shape, activation: project.activation, residual: residual, workspace: ws)
    }

    /// The depthwise conv's output shape for an input of `shape`.
    func outputShape(_ shape: [Int]) -> [Int] { depthwise.outputShape(expand.outputShape(shape)) }

    func forward(_ x: Tensor, workspace ws: Workspace, into output: Output) {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let L = ConvPlan.laneCount, c = expand.outChannels, k = expand.groupK
        let eShape = expand.outputShape(x.shape)
        let (eh, ew) = (eShape[2], eShape[3])
        let yShape = depthwise.outputShape(eShape)
        let (ho, wo) = (yShape[2], yShape[3])
        let setup = blockedSetup(h: eh, w: ew, ho: ho, wo: wo)
        let a = depthwise.attrs
        let (top, sh) = (a.pads.top, a.stride.h), reach = (depthwise.kh - 1) * a.dilation.h
        // Padded rows below `top + full` are filled once `full` input rows are: output row r
        // reads padded rows up to r * sh + reach.
        func readyRows(_ full: Int) -> Int {
            full == eh ? ho : min(ho, max(0, full + top - reach + sh - 1) / sh)
        }
        let hw = h * w, ehw = eh * ew, outPixels = ho * wo
        let rectify = Rectifier16(expand.activation)
        // A 1x1 expansion reads the input itself, all items at once; another conv (a stem)
        // reads one item at a time, through im2col columns [k][chunk] made for each chunk of
        // pixels just before it is expanded, so they are still in cache (made for the whole map
        // first, the columns of Lite0's stem, 1.35 MB an image, went out to memory and back).
        let direct = expand.isPointwise
        // Where the cores share an image's blocks, each reads all of the input, half of it
        // written by the other core (the projection before went by pixels): the kernels ask for
        // it `prefetch` rows ahead (4 and 16 rows did less). In micro-batches, where a core
        // reads what it wrote, it made batch 32 slower (8.6 -> 8.8 ms per two images). With
        // the projection's filter prefetch (BlockedProjection.filterPrefetch), step profiles of
        // Lite0's fused blocks, min of two alternations: batch 1 2.81-2.82 -> 2.76-2.79 ms.
        let prefetch = Parallel.loopsRunInline ? 0 : 8
        let bf16 = ws.precision == .bf16 ? bf16Filters : nil
        // bf16 passes pack a stem's columns as they are made (im2colPairs).
        let chunkColumns = !direct && bf16 == nil
        // bf16 passes run the depthwise conv in bf16 too, where its kernel applies, except with
        // AMX: vdpbf16ps runs at half the FMA rate here, and once AMX had made the products
        // cheap, the bf16 depthwise rows were 9.8% of a LIME run against 5.9% for the float32
        // rows in the same run (perf; LIME 1.28x -> 1.42x fp32, maps r 0.9993 -> 0.9996).
        let pairRows = bf16 != nil && !Precision.useAMX && DepthwisePairRows.applies(depthwise, wo: wo) ? pairRowsSetup(h: eh, w: ew, ho: ho, wo: wo) : nil
        precondition(output.vectors == nil || bf16 == nil, "bf16 passes hand the projection pairs, not vectors")
        x.data.withUnsafeBufferPointer { xb in
            let xp = xb.baseAddress!
            for first in stride(from: 0, to: n, by: direct ? n : 1) {
                let packed = bf16.map { _ in
                    direct ? Self.packBF16(xp + first * k * hw, items: n, k: k, pixels: ehw, workspace: ws)
                           : Self.im2colPairs(expand, xp + first * cin * hw, h: h, w: w, ho: eh, wo: ew, workspace: ws)
                }
                // One block (or pair) per chunk: a single image's six blocks (Lite0's 96
                // channels) in chunks of two left one of the two cores a third idle (batch 1:
                // 7.3 -> 7.0 ms). Pairs where there are enough of them for every core, or where
                // this pass has its thread to itself: a micro-batch, or a pass of the second
                // engine task while the first holds the pool (there single blocks had been 25%
                // of the expansion time in compare-methods). Pairs change no result. AMX passes
                // take up to four blocks per pixel tile (amx_kernels.c; eight on big maps, below),
                // on the same condition.
                let units = (direct ? n : 1) * setup.blocks
                func enough(_ width: Int) -> Bool {
                    Parallel.loopsRunInline || units / width >= Parallel.cores * Parallel.chunksPerCore
                }
                // Big maps keep a window of rows per block (ExpandDepthwise+RowWindow.swift).
                let window = pairRows == nil ? RowWindow(setup, depthwise: depthwise, ew: ew, chunkPixels: Self.chunkPixels) : nil
                // On big maps (in row windows) up to eight, in groups of equal size: each pixel tile
                // then comes from memory once for up to eight blocks (Lite0's six at 112x112), not
                // for four and again for two. Lite0 bf16 batch 32, step profiles, min of five
                // alternations: that block 0.359 -> 0.328 ms per image; on smaller maps, whose
                // inputs stay in L2, eight gained nothing.
                let widths = bf16 == nil ? [2] : Precision.useAMX ? (window != nil ? [8, 4, 2] : [4, 2]) : []
                var width = widths.first(where: enough) ?? 1
                if width > 4 {
                    let groups = (setup.blocks + width - 1) / width
                    width = (setup.blocks + groups - 1) / groups
                }
                let parts = rowParts(groups: (direct ? n : 1) * setup.groups(width: width), outRows: ho, float32: bf16 == nil)
                let stride = window?.stride ?? setup.groupStride, wp = setup.geometry.wp
                // Output rows computed at once where they leave as pairs or planes. The bf16
                // depthwise rows (which leave as pairs right away) reuse the first few rows of
                // the block's output cells: written at their place in the map, the 112x112
                // stem's 800 KB a block went through L2 to L3 and came back for the next block
                // (bf16 LIME 1000, step profiles, three alternations, ms per 1,000 images: the
                // stem 426-447 -> 396-404, the rest as before; rings of 4 rows were slower).
                let batchRows = window?.outRows ?? (pairRows != nil ? Self.pairBatchRows : ho)
                setup.forEachBlockGroup(items: direct ? n : 1, width: width, parts: parts, grain: 1, stride: stride,
                                        zeroing: window.map { w in w.zeroAll } ?? pairRows?.zeroPadding) { b, count, part, buffers in
                    let item = first + b / setup.blocks, cb = b % setup.blocks
                    // This unit's output rows, and the expanded rows they read.
                    let rows = (ho * part / parts)..<(ho * (part + 1) / parts)
                    let inFirst = max(0, rows.lowerBound * sh - top)
                    let inRows = inFirst..<min(eh, (rows.upperBound - 1) * sh - top + reach + 1)
                    // The window's first padded row; the group's cells are addressed from `blocks`.
                    var base = window == nil ? 0 : rows.lowerBound * sh
                    window?.zero(buffers, count: count, padded: base..<max(base, top), base: base)
                    var blocks = buffers - base * wp
                    // Output rows `done ..< ready` of the group's blocks, from their padded inputs.
                    func depthwiseRows(_ done: Int, _ ready: Int) {
                        for j in 0..<count {
                            let block = blocks + j * stride, plane = item * setup.blocks + cb + j
                            if let vectors = output.vectors {
                                setup.compute(block: b + j, plane: block, rows: done..<ready, into: vectors + plane * outPixels)
                                continue
                            }
                            for r in Swift.stride(from: done, to: ready, by: batchRows) {
                                let batch = r..<min(ready, r + batchRows)
                                let out = window?.outputs(buffers, block: j, first: r)
                                    ?? block + setup.paddedPixels - (pairRows != nil ? r * wo : 0)
                                if let pairRows {
                                    pairRows.compute(block: cb + j, pairs: block, rows: batch, into: out)
                                } else {
                                    setup.compute(block: b + j, plane: block, rows: batch, into: out)
                                }
                                // Pairs or planes of the rows just computed, read while they are in
                                // L1 (after the whole block, from L2, the pair scatter had been 10%
                                // of a bf16 Lite0 pass).
                                let (from, pixels) = (r * wo, batch.count * wo)
                                if case let .pairs(y) = output {
                                    Self.scatterPairs(out + from, first: item * outPixels + from, count: pixels, channel: (cb + j) * L,
                                                      of: c, into: y)
                                } else if case let .planes(y) = output {
                                    ConvPlan.scatterChannels(out + from, count: pixels, lanes: L, into: y + plane * L * outPixels + from,
                                                             planeStride: outPixels)
                                }
                            }
                        }
                    }
                    Scratch.with(Float.self, count: chunkColumns ? k * Self.chunkPixels : 0) { buffer in
                        let columns = chunkColumns ? buffer : nil
                        let f = UnsafePointer(byBlock.data + cb * byBlock.blockStride)
                        let bias = UnsafePointer(byBlock.bias + cb * L)
                        var done = rows.lowerBound, p = inRows.lowerBound * ew
                        let last = inRows.upperBound * ew
                        while p < last {
                            let end = min(last, p + Self.chunkPixels)
                            // Rows no output still to come reads leave the window before the chunk's
                            // rows (and after the map's last chunk, the padding below it) overflow it.
                            let lastRow = max((end - 1) / ew + top, end == ehw ? (rows.upperBound - 1) * sh + reach : 0)
                            if let window, lastRow >= base + window.rows {
                                let written = p > inRows.lowerBound * ew ? (p - 1) / ew + top + 1 : done * sh
                                window.slide(buffers, count: count, kept: (done * sh)..<max(done * sh, written), base: base)
                                base = done * sh
                                blocks = buffers - base * wp
                                precondition(lastRow < base + window.rows, "a chunk overflows the row window")
                            }
                            // Where pixel p's k values start, and the distance between two of them.
                            let (src, ldx): (UnsafePointer<Float>, Int)
                            if let columns {
                                expand.im2col(xp + item * cin * hw, planes: cin, h: h, w: w, wo: ew, pixels: p..<end,
                                              into: columns, ld: Self.chunkPixels)
                                (src, ldx) = (UnsafePointer(columns), Self.chunkPixels)
                            } else {
                                (src, ldx) = (xp + item * k * hw + p, ehw)
                            }
                            if let bf16, let packed {
                                expandPixelsBF16(bf16, packed, item: b / setup.blocks, block: cb, count: count, next: stride,
                                                 pixels: p..<end, ldx: ehw, rectify, slots: setup.inputSlots + p, pairRows: pairRows,
                                                 into: blocks)
                            } else if count == 2 {
                                Self.expandPixelPairs(src, count: end - p, k: k, ldx: ldx, prefetch: prefetch, filters: f, bias: bias, rectify,
                                                      slots: setup.inputSlots + p, into: blocks, next: stride)
                            } else {
                                Self.expandPixels(src, count: end - p, k: k, ldx: ldx, prefetch: prefetch, filters: f, bias: bias, rectify,
                                                  slots: setup.inputSlots + p, into: blocks)
                            }
                            let ready = min(rows.upperBound, pairRows?.readyRows(end / ew) ?? readyRows(end / ew))
                            if ready > done {
                                // The last outputs read the padding below the map.
                                if end == ehw {
                                    window?.zero(buffers, count: count, padded: (top + eh)..<max(top + eh, (ready - 1) * sh + reach + 1), base: base)
                                }
                                depthwiseRows(done, ready)
                            }
                            done = max(done, ready)
                            p = end
                        }
                    }
                }
            }
        }
    }

    /// Units per block group (`groups`: the step's block groups over all its items): where the
    /// cores share one image's few blocks (Lite0's 9 at 56x56, 15 at 28x28), whole blocks left
    /// one core a block more than the other; there each group is two units, the upper and lower
    /// halves of its output rows, each expanding the rows it reads (the rows where they meet
    /// twice: 1-2 of 28-56). Float32 passes only.
    /// Step profiles at batch 1, min of two alternations, twice: the two 56x56 blocks
    /// 0.229 / 0.159 -> 0.207 / 0.147 ms; `xai bench` Lite0 batch 1, four alternations, 3.00-3.04
    /// -> 2.94-3.01 ms.
    private func rowParts(groups: Int, outRows: Int, float32: Bool) -> Int {
        float32 && !Parallel.loopsRunInline && groups % Parallel.cores != 0 && groups < 8 * Parallel.cores
            && outRows >= 28 ? 2 : 1
    }

    /// The depthwise conv's setup for expanded maps of eh x ew (made once per map size).
    private func blockedSetup(h: Int, w: Int, ho: Int, wo: Int) -> ConvPlan.BlockedSetup {
        setupLock.lock()
        defer { setupLock.unlock() }
        if let last = lastSetup, last.h == h, last.w == w { return last.setup }
        let setup = ConvPlan.BlockedSetup(depthwise, channels: expand.outChannels, h: h, w: w, ho: ho, wo: wo)
        lastSetup = (h, w, setup)
        return setup
    }

    /// The bf16 depthwise setup for expanded maps of h x w (made once per map size).
    private func pairRowsSetup(h: Int, w: Int, ho: Int, wo: Int) -> DepthwisePairRows {
        setupLock.lock()
        defer { setupLock.unlock() }
        if let last = lastPairRows, last.h == h, last.w == w { return last.setup }
        let setup = DepthwisePairRows(depthwise, channels: expand.outChannels, h: h, w: w, ho: ho, wo: wo)
        lastPairRows = (h, w, setup)
        return setup
    }
}
