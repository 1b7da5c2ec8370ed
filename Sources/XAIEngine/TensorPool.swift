import Foundation
import XAICore

/// Storage of released intermediate tensors, kept by element count for the next tensor of the
/// same size. Large tensors otherwise come fresh from mmap on every op, and the page faults
/// and kernel zeroing cost about a tenth of a batched forward pass. Thread-safe.
final class TensorPool: @unchecked Sendable {
    private var free: [Int: [[Float]]] = [:]
    private var bytes = 0
    private let lock = NSLock()
    /// Upper bound on the memory the pool keeps.
    let limitBytes: Int
    /// Arrays smaller than this are left to malloc.
    static let minimumCount = 1 << 14

    init(limitBytes: Int = 1 << 30) { self.limitBytes = limitBytes }

    func take(_ count: Int) -> [Float]? {
        guard count >= TensorPool.minimumCount else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard var list = free[count], let a = list.popLast() else { return nil }
        free[count] = list
        bytes -= count * 4
        return a
    }

    func put(_ a: [Float]) {
        guard a.count >= TensorPool.minimumCount else { return }
        lock.lock()
        defer { lock.unlock() }
        guard bytes + a.count * 4 <= limitBytes else { return }
        free[a.count, default: []].append(a)
        bytes += a.count * 4
    }
}

extension Workspace {
    /// A tensor whose storage `fill` writes completely, reusing pooled storage when possible.
    func tensor(_ shape: [Int], _ fill: (UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let n = shape.reduce(1, *)
        if let pool, var data = pool.take(n) {
            data.withUnsafeMutableBufferPointer { fill($0.baseAddress!, n) }
            return Tensor(shape: shape, data: data)
        }
        return Tensor(uninitialized: shape, fill)
    }

    /// A zero-filled tensor, reusing pooled storage when possible.
    func zeros(_ shape: [Int]) -> Tensor {
        tensor(shape) { p, n in p.update(repeating: 0, count: n) }
    }

    /// Hands a tensor that is no longer needed back to the pool.
    func recycle(_ t: Tensor?) {
        if let t, let pool { pool.put(t.data) }
    }
}
