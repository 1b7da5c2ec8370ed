import CKernels

/// The fused expansion in bf16: the pass's expansion inputs are rounded and packed as k pairs
/// once (every 16-channel block reads them), and each block's pixels run on CKernels'
/// xai_bf16_expand_block, which writes into the depthwise kernel's block as expandPixels does.
extension ExpandDepthwise {
    /// The expansion filters in bf16 by 16-channel block, [block][k/2][16][2], packed on first use.
    var bf16Filters: BF16Rows {
        bf16.get {
            expand.weights.withUnsafeBufferPointer {
                BF16Rows(weights: $0.baseAddress!, m: expand.outChannels, k: expand.groupK, rowsPerPanel: ConvPlan.laneCount)
            }
        }
    }

    /// `items` consecutive items' inputs x [item][k][pixels] as bf16 pairs [item][k/2][pixels][2]
    /// in workspace slot 5.
    static func packBF16(_ x: UnsafePointer<Float>, items: Int, k: Int, pixels: Int,
                         workspace ws: Workspace) -> UnsafePointer<UInt16> {
        let k2 = (k + 1) / 2, count = items * k2 * pixels * 2
        let dst = UnsafeMutableRawPointer(ws.buffer(5, (count + 1) / 2)).bindMemory(to: UInt16.self, capacity: count)
        Parallel.forRanges(items * k2, grain: 8) { r in
            for t in r {
                let item = t / k2, p = t % k2
                xai_bf16_pack_columns(x + (item * k + 2 * p) * pixels, pixels, min(2, k - 2 * p), pixels, dst + t * pixels * 2)
            }
        }
        return UnsafePointer(dst)
    }

    /// Pixels `pixels` of 16-channel block `block` of item `item` of the packed input (pixel
    /// stride `ldx` between k pairs); pixel i's results go to the block cell `slots[i]`.
    @inline(__always)
    func expandPixelsBF16(_ filters: BF16Rows, _ packed: UnsafePointer<UInt16>, item: Int, block b: Int, pixels: Range<Int>,
                          ldx: Int, _ rectify: Rectifier16, slots: UnsafePointer<Int>,
                          into block: UnsafeMutablePointer<SIMD16<Float>>) {
        let x = packed + (item * filters.pairs * ldx + pixels.lowerBound) * 2
        let cells = UnsafeMutableRawPointer(block).assumingMemoryBound(to: Float.self)
        xai_bf16_expand_block(filters.pairs, x, ldx, pixels.count, filters.data + b * filters.panelStride,
                              biases + b * ConvPlan.laneCount, xai_rectifier(rectify), slots, cells)
    }
}
