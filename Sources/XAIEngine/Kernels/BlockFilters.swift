/// Filters by 16-output block, [block][k][16] (k = C/group * kH * kW), and biases [block][16],
/// lanes past the last output channel zero: the operand of the kernels that broadcast an input
/// value against 16 outputs (ExpandDepthwise, BlockedProjection, DirectConvolution).
final class BlockFilters: @unchecked Sendable {
    let blocks: Int
    /// Floats between two blocks' filters (k * 16).
    let blockStride: Int
    let data: UnsafeMutablePointer<Float>
    let bias: UnsafeMutablePointer<Float>

    /// Row-major filters [m][k] and an optional bias [m].
    init(weights: [Float], bias biasValues: [Float]?, m: Int, k: Int) {
        let L = ConvPlan.laneCount
        blocks = (m + L - 1) / L
        blockStride = k * L
        data = .allocate(capacity: blocks * blockStride)
        data.initialize(repeating: 0, count: blocks * blockStride)
        bias = .allocate(capacity: blocks * L)
        bias.initialize(repeating: 0, count: blocks * L)
        for o in 0..<m {
            let dst = data + (o / L) * blockStride + o % L
            for j in 0..<k { dst[j * L] = weights[o * k + j] }
            bias[o] = biasValues?[o] ?? 0
        }
    }

    /// A plan's filters (group 1: one [M, K] matrix) and bias.
    convenience init(_ plan: ConvPlan) {
        self.init(weights: plan.weights, bias: plan.bias, m: plan.outChannels, k: plan.groupK)
    }

    deinit {
        data.deallocate()
        bias.deallocate()
    }
}
