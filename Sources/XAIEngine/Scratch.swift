import Foundation

/// Per-thread scratch memory for the kernels' temporaries inside parallel loops (a GEMM block
/// that is not whole, a padded plane, a chunk's column buffer), kept by each thread and reused.
///
/// Why not malloc: `MemoryTuning` gives the process one malloc arena, so every allocation takes
/// one lock, and `withUnsafeTemporaryAllocation` goes to malloc above 1 KiB. When both cores ran
/// a loop whose chunks allocated (Winograd's output transform: a 1.5 KiB buffer per 16 blocks),
/// they queued on that lock: ResNet-50's 28x28 output transform took 220-250 us on two cores
/// against 110 us on one, and 57 us with per-thread arenas (step timings, 2026-12-06).
///
/// Nested uses (a kernel that takes scratch calling one that takes scratch) get separate
/// buffers, one per nesting depth; a buffer grows when a call asks for more, never shrinks,
/// and is freed when its thread ends.
enum Scratch {
    /// Nesting depths with a buffer of their own.
    static let maxDepth = 8

    /// Calls `body` with `count` uninitialized values of `T` (64-byte aligned) that belong to
    /// this thread until `body` returns.
    @inline(__always)
    static func with<T, R>(_: T.Type, count: Int, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
        let stack = ScratchStack.current
        let bytes = max(1, count) * MemoryLayout<T>.stride
        let p = stack.push(bytes)
        defer { stack.pop() }
        return try body(p.bindMemory(to: T.self, capacity: max(1, count)))
    }
}

/// One thread's buffers, by nesting depth.
final class ScratchStack {
    private let buffers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: Scratch.maxDepth)
    private let sizes = UnsafeMutablePointer<Int>.allocate(capacity: Scratch.maxDepth)
    private var depth = 0

    private init() {
        buffers.initialize(repeating: nil, count: Scratch.maxDepth)
        sizes.initialize(repeating: 0, count: Scratch.maxDepth)
    }

    deinit {
        for d in 0..<Scratch.maxDepth { free(buffers[d]) }
        buffers.deallocate()
        sizes.deallocate()
    }

    /// The buffer of the next depth, at least `bytes` long.
    @inline(__always)
    func push(_ bytes: Int) -> UnsafeMutableRawPointer {
        precondition(depth < Scratch.maxDepth, "scratch nested deeper than \(Scratch.maxDepth)")
        if sizes[depth] < bytes { grow(bytes) }
        depth += 1
        return buffers[depth - 1]!
    }

    @inline(__always)
    func pop() { depth -= 1 }

    private func grow(_ bytes: Int) {
        free(buffers[depth])
        // Whole pages, and at least double the old size, so a few calls settle each buffer.
        let size = (max(bytes, 2 * sizes[depth]) + 4095) & ~4095
        var p: UnsafeMutableRawPointer?
        guard posix_memalign(&p, 64, size) == 0, let p else { fatalError("out of memory: \(size) bytes of kernel scratch") }
        buffers[depth] = p
        sizes[depth] = size
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { Unmanaged<ScratchStack>.fromOpaque($0!).release() }
        return key
    }()

    /// This thread's stack, made on first use.
    static var current: ScratchStack {
        if let p = pthread_getspecific(key) { return Unmanaged<ScratchStack>.fromOpaque(p).takeUnretainedValue() }
        let stack = ScratchStack()
        pthread_setspecific(key, Unmanaged.passRetained(stack).toOpaque())
        return stack
    }
}
