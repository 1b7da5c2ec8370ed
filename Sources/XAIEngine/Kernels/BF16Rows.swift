import CKernels

/// Filters [m, k] rounded to bf16 and packed for vdpbf16ps: [panel][k/2][rowsPerPanel][2],
/// the two values of each k pair side by side, rows past m and the pad of an odd k zero
/// (CKernels/include/bf16_kernels.h). Made once per plan, on the first bf16 pass.
final class BF16Rows: @unchecked Sendable {
    let m: Int
    let k: Int
    let rowsPerPanel: Int
    let data: UnsafeMutablePointer<UInt16>

    /// k pairs: the products' depth in vdpbf16ps steps.
    var pairs: Int { (k + 1) / 2 }
    /// Values per panel.
    var panelStride: Int { pairs * rowsPerPanel * 2 }

    /// Packs row-major float32 filters [m, k].
    init(weights: UnsafePointer<Float>, m: Int, k: Int, rowsPerPanel: Int) {
        self.m = m
        self.k = k
        self.rowsPerPanel = rowsPerPanel
        let panels = (m + rowsPerPanel - 1) / rowsPerPanel
        data = .allocate(capacity: max(1, panels * (k + 1) / 2 * rowsPerPanel * 2))
        xai_bf16_pack_rows(weights, m, k, rowsPerPanel, data)
    }

    deinit { data.deallocate() }
}

extension xai_rectifier {
    /// The bounds of a fused rectifier, for the C kernels' epilogue.
    init(_ r: Rectifier16) {
        self.init(lo: r.lo[0], hi: r.hi[0], slope: r.slope[0])
    }
}
