import XAICore

/// Splits work over many inputs (path points, noisy copies, masked images) into batches of at
/// most `size` for batched forward/backward passes.
enum Batching {
    /// The `batch` parameter with default `d`.
    static func parameter(_ d: Int) -> Param<Int> {
        Param("batch", default: d, range: .ints(1, 4096), "images per forward/backward pass")
    }

    /// Consecutive ranges covering 0..<count, each at most `size` long.
    static func ranges(count: Int, size: Int) -> [Range<Int>] {
        precondition(size > 0)
        return stride(from: 0, to: count, by: size).map { $0..<Swift.min($0 + size, count) }
    }
}
