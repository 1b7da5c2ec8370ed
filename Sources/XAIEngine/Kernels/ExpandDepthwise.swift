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
    /// pairs for a bf16 product that reads them (`pairHalves` per item; ExpandDepthwise+BF16.swift),
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
        // Padded rows below `top + full` are filled once `full` input rows are: output row r
        // reads padded rows up to r * sh + (kh - 1) * dh.
        func readyRows(_ full: Int) -> Int {
            full == eh ? ho : min(ho, max(0, full + a.pads.top - (depthwise.kh - 1) * a.dilation.h + a.stride.h - 1) / a.stride.h)
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
                // take up to four blocks per pixel tile (amx_kernels.c), on the same condition.
                let units = (direct ? n : 1) * setup.blocks
                func enough(_ width: Int) -> Bool {
                    Parallel.loopsRunInline || units / width >= Parallel.cores * Parallel.chunksPerCore
                }
                // Big maps keep a window of rows per block (ExpandDepthwise+RowWindow.swift).
                let window = pairRows == nil ? RowWindow(setup, depthwise: depthwise, ew: ew, chunkPixels: Self.chunkPixels) : nil
                let widths = bf16 == nil ? [2] : Precision.useAMX ? [4, 2] : []
                let width = widths.first(where: enough) ?? 1
                let parts = rowParts(groups: (direct ? n : 1) * setup.groups(width: width), outRows: ho, float32: bf16 == nil)
                let stride = window?.stride ?? setup.groupStride, wp = setup.geometry.wp
                setup.forEachBlockGroup(items: direct ? n : 1, width: width, parts: parts, grain: 1, stride: stride,
                                        zeroing: window.map { w in w.zeroAll } ?? pairRows?.zeroPadding) { b, count, part, buffers in
                    let item = first + b / setup.blocks, cb = b % setup.blocks
                    // This unit's output rows, and the expanded rows they read.
                    let rows = (ho * part / parts)..<(ho * (part + 1) / parts)
                    let (top, sh) = (a.pads.top, a.stride.h), reach = (depthwise.kh - 1) * a.dilation.h
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
                            for r in Swift.stride(from: done, to: ready, by: window?.outRows ?? ho) {
                                let batch = r..<min(ready, r + (window?.outRows ?? ho))
                                let out = window?.outputs(buffers, block: j, first: r) ?? block + setup.paddedPixels
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
                                    Self.scatterPairs(out + from, first: from, count: pixels, channel: (cb + j) * L, of: c,
                                                      into: y + item * Self.pairHalves(channels: c, pixels: outPixels), pixels: outPixels)
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
                                Self.expandPixels(src, count: end - p, k: k, ldx: ldx, prefetch: prefetch, filters: f, bias: Self.lanes(bias), rectify,
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

    @inline(__always)
    private static func lanes(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    /// `expandPixels` for two consecutive blocks at once (filters [2][k][16], biases [2][16];
    /// the second block `next` cells after the first): twelve pixels at a time, 24 accumulators,
    /// so per k two filter loads and twelve broadcasts feed 24 multiply-adds where one block
    /// needs seventeen loads for sixteen. Each output sums its k terms in the same order as in
    /// `expandPixels`, so the pairing changes no result.
    @inline(__always)
    private static func expandPixelPairs(_ x: UnsafePointer<Float>, count: Int, k: Int, ldx: Int, prefetch: Int, filters: UnsafePointer<Float>,
                                         bias: UnsafePointer<Float>, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                                         into block: UnsafeMutablePointer<Lanes>, next: Int) {
        let L = ConvPlan.laneCount
        let (ba, bb) = (lanes(bias), lanes(bias + L))
        let second = block + next
        var i = 0
        while i + 12 <= count {
            var a0 = ba, a1 = ba, a2 = ba, a3 = ba, a4 = ba, a5 = ba, a6 = ba, a7 = ba, a8 = ba, a9 = ba, a10 = ba, a11 = ba
            var b0 = bb, b1 = bb, b2 = bb, b3 = bb, b4 = bb, b5 = bb, b6 = bb, b7 = bb, b8 = bb, b9 = bb, b10 = bb, b11 = bb
            var xp = x + i, fp = filters
            for _ in 0..<k {
                if prefetch > 0 { xai_prefetch(xp + prefetch * ldx); xai_prefetch(xp + prefetch * ldx + 11) }
                let f = lanes(fp), g = lanes(fp + k * L)
                fp += L
                var s = Lanes(repeating: xp[0]); madd(&a0, f, s); madd(&b0, g, s)
                s = Lanes(repeating: xp[1]); madd(&a1, f, s); madd(&b1, g, s)
                s = Lanes(repeating: xp[2]); madd(&a2, f, s); madd(&b2, g, s)
                s = Lanes(repeating: xp[3]); madd(&a3, f, s); madd(&b3, g, s)
                s = Lanes(repeating: xp[4]); madd(&a4, f, s); madd(&b4, g, s)
                s = Lanes(repeating: xp[5]); madd(&a5, f, s); madd(&b5, g, s)
                s = Lanes(repeating: xp[6]); madd(&a6, f, s); madd(&b6, g, s)
                s = Lanes(repeating: xp[7]); madd(&a7, f, s); madd(&b7, g, s)
                s = Lanes(repeating: xp[8]); madd(&a8, f, s); madd(&b8, g, s)
                s = Lanes(repeating: xp[9]); madd(&a9, f, s); madd(&b9, g, s)
                s = Lanes(repeating: xp[10]); madd(&a10, f, s); madd(&b10, g, s)
                s = Lanes(repeating: xp[11]); madd(&a11, f, s); madd(&b11, g, s)
                xp += ldx
            }
            let s = slots + i
            block[s[0]] = rectify(a0); block[s[1]] = rectify(a1); block[s[2]] = rectify(a2); block[s[3]] = rectify(a3)
            block[s[4]] = rectify(a4); block[s[5]] = rectify(a5); block[s[6]] = rectify(a6); block[s[7]] = rectify(a7)
            block[s[8]] = rectify(a8); block[s[9]] = rectify(a9); block[s[10]] = rectify(a10); block[s[11]] = rectify(a11)
            second[s[0]] = rectify(b0); second[s[1]] = rectify(b1); second[s[2]] = rectify(b2); second[s[3]] = rectify(b3)
            second[s[4]] = rectify(b4); second[s[5]] = rectify(b5); second[s[6]] = rectify(b6); second[s[7]] = rectify(b7)
            second[s[8]] = rectify(b8); second[s[9]] = rectify(b9); second[s[10]] = rectify(b10); second[s[11]] = rectify(b11)
            i += 12
        }
        guard i < count else { return }
        expandPixels(x + i, count: count - i, k: k, ldx: ldx, prefetch: prefetch, filters: filters, bias: ba, rectify,
                     slots: slots + i, into: block)
        expandPixels(x + i, count: count - i, k: k, ldx: ldx, prefetch: prefetch, filters: filters + k * L, bias: bb, rectify,
                     slots: slots + i, into: second)
    }

    /// `count` pixels of one 16-channel block: x [k][ldx] (the pixels' columns), filters
    /// [k][16]; each result goes to the block cell `slots[i]`. x is prefetched `prefetch` rows
    /// ahead (0: not at all; past x's end a prefetch is a hint, never a fault). Sixteen pixels
    /// at a time, one accumulator each: per k, one filter load and sixteen broadcast multiply-adds.
    @inline(__always)
    private static func expandPixels(_ x: UnsafePointer<Float>, count: Int, k: Int, ldx: Int, prefetch: Int, filters: UnsafePointer<Float>,
                                     bias: Lanes, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                                     into block: UnsafeMutablePointer<Lanes>) {
        let fr = UnsafeRawPointer(filters)
        var i = 0
        while i + 16 <= count {
            var a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias
            var a8 = bias, a9 = bias, a10 = bias, a11 = bias, a12 = bias, a13 = bias, a14 = bias, a15 = bias
            var xp = x + i
            for j in 0..<k {
                if prefetch > 0 { xai_prefetch(xp + prefetch * ldx) }
                let f = fr.loadUnaligned(fromByteOffset: j * 64, as: Lanes.self)
                madd(&a0, f, Lanes(repeating: xp[0])); madd(&a1, f, Lanes(repeating: xp[1]))
                madd(&a2, f, Lanes(repeating: xp[2])); madd(&a3, f, Lanes(repeating: xp[3]))
                madd(&a4, f, Lanes(repeating: xp[4])); madd(&a5, f, Lanes(repeating: xp[5]))
                madd(&a6, f, Lanes(repeating: xp[6])); madd(&a7, f, Lanes(repeating: xp[7]))
                madd(&a8, f, Lanes(repeating: xp[8])); madd(&a9, f, Lanes(repeating: xp[9]))
                madd(&a10, f, Lanes(repeating: xp[10])); madd(&a11, f, Lanes(repeating: xp[11]))
                madd(&a12, f, Lanes(repeating: xp[12])); madd(&a13, f, Lanes(repeating: xp[13]))
                madd(&a14, f, Lanes(repeating: xp[14])); madd(&a15, f, Lanes(repeating: xp[15]))
                xp += ldx
            }
            let s = slots + i
            block[s[0]] = rectify(a0); block[s[1]] = rectify(a1); block[s[2]] = rectify(a2); block[s[3]] = rectify(a3)
            block[s[4]] = rectify(a4); block[s[5]] = rectify(a5); block[s[6]] = rectify(a6); block[s[7]] = rectify(a7)
            block[s[8]] = rectify(a8); block[s[9]] = rectify(a9); block[s[10]] = rectify(a10); block[s[11]] = rectify(a11)
            block[s[12]] = rectify(a12); block[s[13]] = rectify(a13); block[s[14]] = rectify(a14); block[s[15]] = rectify(a15)
            i += 16
        }
        while i < count {
            var a0 = bias
            var xp = x + i
            for j in 0..<k {
                madd(&a0, fr.loadUnaligned(fromByteOffset: j * 64, as: Lanes.self), Lanes(repeating: xp[0]))
                xp += ldx
            }
            block[slots[i]] = rectify(a0)
            i += 1
        }
    }
}
