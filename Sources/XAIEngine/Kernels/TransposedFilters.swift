/// The filters of a group-1 convolution transposed, W^T [C*kH*kW, M], packed for the engine's
/// GEMM: the input gradient's product W^T dY (ConvKernel.swift), which OpenBLAS would pack
/// again on every call. Packed the first time a backward pass needs it (forward-only use
/// never spends the memory), then shared by every copy of the plan.
final class TransposedFilters: @unchecked Sendable {
    private let weights: [Float]
    private let m: Int
    private let transposed = OnFirstUse<PackedFilters>()

    /// Nil for grouped convs (they stay on OpenBLAS). `weights` [M, K] row-major.
    init?(groups: Int, weights: [Float], outChannels m: Int) {
        guard groups == 1, m > 0, !weights.isEmpty, weights.count % m == 0 else { return nil }
        self.weights = weights
        self.m = m
    }

    /// W^T packed as a [K, M] filter matrix.
    var packed: PackedFilters {
        transposed.get {
            let k = weights.count / m
            var t = [Float](repeating: 0, count: weights.count)
            for r in 0..<m {
                for j in 0..<k { t[j * m + r] = weights[r * k + j] }
            }
            return PackedFilters(weights: t, bias: nil, m: k, k: m)
        }
    }
}
