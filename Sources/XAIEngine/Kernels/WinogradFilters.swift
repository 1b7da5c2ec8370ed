/// The Winograd-domain filters of one 3x3 stride-1 group-1 convolution (WinogradTransform.swift),
/// packed for the engine's GEMM: F(4x4, 3x3)'s 36 matrices U_xi [M, C], one per transformed
/// point, F(2x2, 3x3)'s 16 for the forward pass on smaller maps, and for the input gradient 36
/// matrices [C, M] of the flipped, transposed filters (the gradient of a stride-1 3x3 conv
/// w.r.t. its input is the 3x3 conv of dy with those filters).
///
/// Each set is transformed once, the first time a pass needs it, and then kept: 4x the weights'
/// memory per F(4x4) set (1.8x per F(2x2) set), which a conv whose maps are too small for Winograd (ResNet-50's 7x7 stage
/// holds three quarters of its 3x3 weights) never spends. Shared by every copy of the plan;
/// concurrent first uses build one set (OnFirstUse).
final class WinogradFilters: @unchecked Sendable {
    let inChannels: Int
    let outChannels: Int
    private let weights: [Float]
    private let forwardSet = OnFirstUse<[PackedFilters]>()
    private let forwardTwoSet = OnFirstUse<[PackedFilters]>()
    private let backwardSet = OnFirstUse<[PackedFilters]>()

    /// Nil unless the conv is 3x3, stride 1, dilation 1, group 1: weights [M, C, 3, 3].
    init?(attrs a: Conv2D, weights: [Float], inChannels: Int, outChannels: Int) {
        guard a.kernel == (3, 3), a.stride == (1, 1), a.dilation == (1, 1), a.groups == 1,
              weights.count == outChannels * inChannels * 9, inChannels > 0, outChannels > 0 else { return nil }
        self.weights = weights
        self.inChannels = inChannels
        self.outChannels = outChannels
    }

    /// The packed [M, C] matrices of `tile` (36 or 16) for the forward pass.
    func forward(_ tile: WinogradTile) -> [PackedFilters] {
        (tile == .four ? forwardSet : forwardTwoSet).get {
            Self.pack(weights, rows: outChannels, columns: inChannels, transposedFlipped: false, tile: tile)
        }
    }

    /// F(4x4, 3x3)'s 36 packed [C, M] matrices of the flipped filters, for the input gradient.
    var backward: [PackedFilters] {
        backwardSet.get { Self.pack(weights, rows: inChannels, columns: outChannels, transposedFlipped: true, tile: .four) }
    }

    /// U_xi[r][c] = (G g G^T)[xi] for filter g = w[r][c] ([rows, columns, 3, 3]), or with
    /// `transposedFlipped` g = w[c][r] rotated by 180 degrees ([columns, rows, 3, 3]).
    private static func pack(_ w: [Float], rows: Int, columns: Int, transposedFlipped: Bool,
                             tile: WinogradTile) -> [PackedFilters] {
        let points = tile.points
        var u = [[Float]](repeating: [Float](repeating: 0, count: rows * columns), count: points)
        var g = [Float](repeating: 0, count: 9)
        w.withUnsafeBufferPointer { wb in
            for r in 0..<rows {
                for c in 0..<columns {
                    let src = transposedFlipped ? (c * rows + r) * 9 : (r * columns + c) * 9
                    for t in 0..<9 { g[t] = wb[src + (transposedFlipped ? 8 - t : t)] }
                    let v = g.withUnsafeBufferPointer { tile.transformFilter($0.baseAddress!) }
                    for xi in 0..<points { u[xi][r * columns + c] = Float(v[xi]) }
                }
            }
        }
        return u.map { PackedFilters(weights: $0, bias: nil, m: rows, k: columns) }
    }
}
