import XAICore

/// General convolution as GEMM: im2col (skipped for pointwise 1x1 convs) then one product per
/// group, on the packed GEMM (PackedGEMM.swift) for group-1 convs (forward, and the input
/// gradient with W^T packed) and OpenBLAS for grouped ones; 3x3 stride-1 convs on maps big
/// enough run on Winograd (WinogradConvolution.swift).
/// Several batch items share one product when their feature maps are small (except pointwise
/// forwards), so late layers (7x7, 14x14) still give wide matrices.
extension ConvPlan {
    /// Columns per GEMM worth aiming for; smaller maps are batched up to this width.
    static let targetColumns = 3136
    /// Upper bound on an im2col buffer (floats), so big batches are processed in chunks.
    static let maxColumnFloats = 1 << 24

    /// GEMM columns per tile: the tile's B and C parts ([rows, tile] floats) stay within about
    /// 512 KB of cache, a multiple of 16, and at least `minTile` (OpenBLAS packs A again for
    /// every tile, which must stay small next to the tile's products).
    static let minTile = 512
    func columnTile(rows: Int, columns: Int) -> Int {
        let fit = ((1 << 17) / max(1, rows)) & ~15
        // Enough tiles for every core to get two when the product is big enough to split.
        let split = (columns / (2 * Parallel.cores) + 15) & ~15
        return min(columns, max(Self.minTile, min(fit, split)))
    }

    func itemsPerChunk(batch: Int, outPixels: Int) -> Int {
        if outPixels >= ConvPlan.targetColumns { return 1 }
        var n = min(batch, max(1, (ConvPlan.targetColumns + outPixels - 1) / outPixels))
        n = min(n, max(1, ConvPlan.maxColumnFloats / max(1, groupK * groups * outPixels)))
        return n
    }

    /// Forward: x [N, C, H, W] -> [N, M, Ho, Wo], bias and rectifier applied. `residual`
    /// (shaped like the output; 1x1 group-1 convs only, `takesResidual`, ResidualAdd.swift) is added
    /// before the rectifier.
    func forward(_ x: Tensor, workspace ws: Workspace, residual: Tensor? = nil) -> Tensor {
        precondition(residual == nil || takesResidual, "a residual needs a 1x1 group-1 conv on the packed GEMM")
        if isDepthwise { return depthwiseForward(x, workspace: ws) }
        if let y = directForward(x, workspace: ws) { return y }
        if let y = winogradForward(x, workspace: ws) { return y }
        return ws.tensor(outputShape(x.shape)) { y, _ in
            residual.withDataPointer { rp in gemmForward(x, into: y, residual: rp, workspace: ws) }
        }
    }

    /// Forward with the residual Add fused and summed into the residual's own storage: `sum`
    /// (shaped like the output) becomes rectify(conv(x) + sum). The caller hands over a tensor
    /// that nothing reads afterwards (then its storage is not copied). A separate output had
    /// the residual read from L3 beside the output lines the stores fetch anyway: at batch 1
    /// ResNet-50's conv + Add steps took 0.05 ms more than a plain conv of the same shape,
    /// ONNX Runtime's 0.01-0.02 (its own profile). Float32 only: the bf16 kernels store
    /// straight into C.
    func forward(_ x: Tensor, workspace ws: Workspace, accumulatingInto sum: inout Tensor) {
        precondition(takesResidual && ws.precision == .fp32 && sum.shape == outputShape(x.shape),
                     "summing in place needs a 1x1 group-1 conv in float32 and a residual shaped like its output")
        sum.data.withUnsafeMutableBufferPointer { p in
            gemmForward(x, into: p.baseAddress!, residual: UnsafePointer(p.baseAddress!), workspace: ws)
        }
    }

    /// y = rectify(conv(x) + bias (+ residual)) by im2col (none for pointwise convs) and GEMM.
    private func gemmForward(_ x: Tensor, into y: UnsafeMutablePointer<Float>, residual rp: UnsafePointer<Float>?,
                             workspace ws: Workspace) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let yShape = outputShape(x.shape)
        let (ho, wo) = (yShape[2], yShape[3])
        let hw = h * w, howo = ho * wo
        let m = outChannels, g = groups, mg = m / g, cg = c / g, kg = groupK
        x.data.withUnsafeBufferPointer { xb in
            weights.withUnsafeBufferPointer { wb in
                let xp = xb.baseAddress!, wp = wb.baseAddress!
                // Pointwise convs run one product per item straight on the input: with the
                // packed GEMM's narrow last columns this measured as fast as sharing products
                // between items on Lite0's 7x7 and 14x14 layers, without interleaving copies.
                let per = isPointwise ? 1 : itemsPerChunk(batch: n, outPixels: howo)
                var n0 = 0
                while n0 < n {
                    let cnt = min(per, n - n0)
                    let cols = cnt * howo
                    // Pointwise: the input item is the operand. Otherwise im2col, items side by side.
                    let direct = isPointwise
                    if !direct, let packed, groupK * cols >= ConvPlan.tiledColumnFloats {
                        forwardTiled(xp, first: n0, count: cnt, c: c, h: h, w: w, ho: ho, wo: wo, packed: packed,
                                     into: ColumnDestination(base: y + n0 * m * howo, itemColumns: howo, channels: m,
                                                             residual: rp.map { $0 + n0 * m * howo }),
                                     precision: ws.precision)
                        n0 += cnt
                        continue
                    }
                    var col: UnsafeMutablePointer<Float>? = nil
                    if !direct {
                        let buf = ws.buffer(0, kg * g * cols)
                        col = buf
                        forEachKernelRow(planes: cnt * c, outPixels: howo) { t, rows in
                            let i = t / c, ch = t % c
                            let grp = ch / cg, cl = ch % cg
                            let dst = buf + grp * kg * cols + cl * kh * kw * cols + i * howo
                            im2col(xp + ((n0 + i) * c + ch) * hw, h: h, w: w, ho: ho, wo: wo, into: dst, ld: cols,
                                   kernelRows: rows)
                        }
                    }
                    let (bp, ldb): (UnsafePointer<Float>, Int) = direct
                        ? (UnsafePointer(xp + n0 * c * hw), hw) : (UnsafePointer(col!), cols)
                    if let packed {
                        PackedGEMM.multiply(packed, b: bp, ldb: ldb, n: cols, rectify: Rectifier16(activation),
                                            into: ColumnDestination(base: y + n0 * m * howo, itemColumns: howo, channels: m,
                                                                    residual: rp.map { $0 + n0 * m * howo }),
                                            precision: ws.precision)
                        n0 += cnt
                        continue
                    }
                    let out = cnt == 1 ? y + n0 * m * howo : ws.buffer(1, m * cols)
                    let ldc = cnt == 1 ? howo : cols
                    // Written in place: start from the bias and let the GEMM accumulate
                    // (beta 1), which replaces OpenBLAS's zeroing pass.
                    let prefilled = cnt == 1 && bias != nil
                    let needsEpilogue = !(prefilled && activation == nil)
                    // Column tiles, each filled, multiplied and finished while its part of
                    // C is still in cache (three passes over C would otherwise stream
                    // through memory), and split between the cores.
                    let tile = columnTile(rows: m + kg * g, columns: cols)
                    let tiles = (cols + tile - 1) / tile
                    Parallel.forRanges(tiles) { r in
                        for t in r {
                            let lo = t * tile, hi = min(cols, lo + tile)
                            if prefilled, let bias {
                                for ch in 0..<m { (out + ch * ldc + lo).update(repeating: bias[ch], count: hi - lo) }
                            }
                            for grp in 0..<g {
                                BLAS.sgemm(m: mg, n: hi - lo, k: kg, a: wp + grp * mg * kg, lda: kg,
                                           b: bp + grp * kg * ldb + lo, ldb: ldb, beta: prefilled ? 1 : 0,
                                           c: out + grp * mg * ldc + lo, ldc: ldc)
                            }
                            guard needsEpilogue else { continue }
                            // Bias + rectifier, scattering batched columns back to NCHW.
                            for ch in 0..<m {
                                var j = lo
                                while j < hi {
                                    let i = j / howo, end = min(hi, (i + 1) * howo)
                                    epilogue(out + ch * ldc + j, y + ((n0 + i) * m + ch) * howo + j - i * howo,
                                             end - j, channel: ch, addBias: !prefilled)
                                    j = end
                                }
                            }
                        }
                    }
                    n0 += cnt
                }
            }
        }
    }

    /// Backward w.r.t. the input: dx = col2im(W^T dy). `dy` is the gradient of the conv output
    /// before the rectifier (the caller applies the rectifier's rule first).
    func backwardInput(_ dy: Tensor, inputShape: [Int], workspace ws: Workspace) -> Tensor {
        if isDepthwise { return depthwiseBackwardInput(dy, inputShape: inputShape, workspace: ws) }
        if let dx = directBackwardInput(dy, inputShape: inputShape, workspace: ws) { return dx }
        if let dx = winogradBackwardInput(dy, inputShape: inputShape, workspace: ws) { return dx }
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (ho, wo) = (dy.shape[2], dy.shape[3])
        let hw = h * w, howo = ho * wo
        let m = outChannels, g = groups, mg = m / g, cg = c / g, kg = groupK
        let pointDirect = isPointwise
        let packedT = transposed?.packed
        if let packedT, !pointDirect, kg * howo >= ConvPlan.tiledColumnFloats {
            return ws.tensor(inputShape) { dxp, _ in
                dy.data.withUnsafeBufferPointer { dyb in
                    backwardInputTiled(dyb.baseAddress!, n: n, c: c, h: h, w: w, ho: ho, wo: wo, packed: packedT,
                                       into: dxp, workspace: ws)
                }
            }
        }
        // Every path writes all of dx; col2im zeroes its plane first, on its core, while it is in cache.
        return ws.tensor(inputShape) { dxp, _ in
            dy.data.withUnsafeBufferPointer { dyb in
                weights.withUnsafeBufferPointer { wb in
                    let dyp = dyb.baseAddress!, wp = wb.baseAddress!
                    let per = itemsPerChunk(batch: n, outPixels: howo)
                    var n0 = 0
                    while n0 < n {
                        let cnt = min(per, n - n0)
                        let cols = cnt * howo
                        // dY columns for this chunk: direct for one item, else gathered [M, cols].
                        let dyc: UnsafePointer<Float>
                        let ldy: Int
                        if cnt == 1 {
                            dyc = dyp + n0 * m * howo
                            ldy = howo
                        } else {
                            let buf = ws.buffer(1, m * cols)
                            Parallel.forRanges(cnt * m, grain: 16) { r in
                                for t in r {
                                    let i = t / m, ch = t % m
                                    (buf + ch * cols + i * howo).update(from: dyp + ((n0 + i) * m + ch) * howo, count: howo)
                                }
                            }
                            dyc = UnsafePointer(buf)
                            ldy = cols
                        }
                        if let packedT, pointDirect {
                            // Pointwise stride-1 products land in dx itself.
                            PackedGEMM.multiply(packedT, b: dyc, ldb: ldy, n: cols, rectify: Rectifier16(nil),
                                                into: ColumnDestination(base: dxp + n0 * c * hw, itemColumns: hw, channels: c))
                        } else if pointDirect && cnt == 1 {
                            for grp in 0..<g {
                                BLAS.sgemm(transA: true, m: kg, n: cols, k: mg, a: wp + grp * mg * kg, lda: kg,
                                           b: dyc + grp * mg * ldy, ldb: ldy,
                                           c: dxp + (n0 * c + grp * cg) * hw, ldc: hw)
                            }
                        } else {
                            let col = ws.buffer(0, kg * g * cols)
                            if let packedT {
                                PackedGEMM.multiply(packedT, b: dyc, ldb: ldy, n: cols, rectify: Rectifier16(nil),
                                                    into: ColumnDestination(base: col, itemColumns: cols, channels: kg))
                            } else {
                                for grp in 0..<g {
                                    BLAS.sgemm(transA: true, m: kg, n: cols, k: mg, a: wp + grp * mg * kg, lda: kg,
                                               b: dyc + grp * mg * ldy, ldb: ldy,
                                               c: col + grp * kg * cols, ldc: cols)
                                }
                            }
                            Parallel.forRanges(cnt * c, grain: 4) { r in
                                for t in r {
                                    let i = t / c, ch = t % c
                                    let grp = ch / cg, cl = ch % cg
                                    let dst = dxp + ((n0 + i) * c + ch) * hw
                                    if pointDirect {
                                        dst.update(from: col + grp * kg * cols + cl * cols + i * howo, count: hw)
                                    } else {
                                        dst.update(repeating: 0, count: hw)
                                        col2im(col + grp * kg * cols + cl * kh * kw * cols + i * howo, ld: cols,
                                               h: h, w: w, ho: ho, wo: wo, into: dst)
                                    }
                                }
                            }
                        }
                        n0 += cnt
                    }
                }
            }
        }
    }
}
