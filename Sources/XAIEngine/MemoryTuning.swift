#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Keeps freed tensor storage inside the process. glibc serves every allocation above its
/// mmap threshold (at most 32 MiB) with a fresh mmap and unmaps it on free, so each batched
/// pass that keeps its activations (forward for gradients) pays a page fault and a kernel
/// page-zeroing per 4 KiB of every large tensor: about a fifth of the CPU time of a Lite0
/// forward+backward at batch 16. With mmap disabled and trimming off, freed blocks stay in
/// the heap and the next pass reuses them. Set XAI_MALLOC_TUNING=0 to leave glibc's defaults.
enum MemoryTuning {
    /// glibc's mallopt parameter numbers (malloc.h, which the Glibc module does not export).
    private static let mTrimThreshold: Int32 = -1
    private static let mMmapMax: Int32 = -4

    static let apply: Void = {
        #if os(Linux)
        guard ProcessInfo.processInfo.environment["XAI_MALLOC_TUNING"] != "0" else { return }
        // Looked up at run time: present in glibc, absent in other C libraries (then a no-op).
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        _ = mallopt(mMmapMax, 0)
        _ = mallopt(mTrimThreshold, Int32.max)
        #endif
    }()
}
