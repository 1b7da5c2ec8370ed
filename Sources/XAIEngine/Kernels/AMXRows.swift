import CKernels

/// Filters [m, k] rounded to bf16 as AMX tiles read them: row-major [rows][kpad], k padded with
/// zeros to a multiple of 32 (one tile step) and 32 zero rows past the last 32-row block, so a
/// step may start at any row (CKernels/include/amx_kernels.h). Made once per plan, on the first
/// bf16 pass on a CPU with AMX.
final class AMXRows: @unchecked Sendable {
    /// k rounded up to a multiple of 32: the row stride.
    let kpad: Int
    let data: UnsafeMutablePointer<UInt16>

    /// Packs row-major float32 filters [m, k].
    init(weights: UnsafePointer<Float>, m: Int, k: Int) {
        kpad = xai_amx_kpad(k)
        data = .allocate(capacity: xai_amx_packed_rows(m) * kpad)
        xai_amx_pack_rows(weights, m, k, data)
    }

    deinit { data.deallocate() }

    /// Row `row`'s values.
    func row(_ row: Int) -> UnsafePointer<UInt16> { UnsafePointer(data + row * kpad) }
}
