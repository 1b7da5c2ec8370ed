/// Splits work over many inputs (path points, noisy copies, masked images) into batches of at
/// most `size` for batched forward/backward passes.
enum Batching {
    /// Consecutive ranges covering 0..<count, each at most `size` long.
    static func ranges(count: Int, size: Int) -> [Range<Int>] {
        precondition(size > 0)
        return stride(from: 0, to: count, by: size).map { $0..<Swift.min($0 + size, count) }
    }
}
