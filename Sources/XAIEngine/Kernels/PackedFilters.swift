/// A conv's filters packed once for PackedGEMM: [panel][k][8] panels of 8 output channels
/// (rows past m zero), with the bias, and their bf16 / AMX forms made by the first pass that
/// needs them.
final class PackedFilters: @unchecked Sendable {
    /// Rows (output channels) per panel.
    static let rows = 8
    let m: Int
    let k: Int
    /// [panel][k][8], rows past `m` zero.
    let data: UnsafeMutablePointer<Float>
    /// [panel * 8], zero past `m`.
    let bias: UnsafeMutablePointer<Float>
    /// The filters in bf16, packed by the first bf16 pass (PackedGEMM+BF16.swift).
    let bf16 = OnFirstUse<BF16Rows>()
    /// The filters as AMX rows, packed by the first bf16 pass on a CPU with AMX.
    let amx = OnFirstUse<AMXRows>()

    var panels: Int { (m + Self.rows - 1) / Self.rows }

    /// Packs row-major filters [m, k] and an optional bias [m].
    init(weights: [Float], bias: [Float]?, m: Int, k: Int) {
        self.m = m
        self.k = k
        let r = Self.rows, panels = (m + r - 1) / r
        data = .allocate(capacity: panels * k * r)
        data.initialize(repeating: 0, count: panels * k * r)
        self.bias = .allocate(capacity: panels * r)
        self.bias.initialize(repeating: 0, count: panels * r)
        for i in 0..<m {
            let panel = data + (i / r) * k * r + i % r
            for j in 0..<k { panel[j * r] = weights[i * k + j] }
            self.bias[i] = bias?[i] ?? 0
        }
    }

    deinit {
        data.deallocate()
        bias.deallocate()
    }
}
