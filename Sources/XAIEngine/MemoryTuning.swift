#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Keeps freed tensor storage inside the process. glibc serves every allocation above its
/// mmap threshold (at most 32 MiB) with a fresh mmap and unmaps it on free, so each batched
/// pass that keeps its activations (forward for gradients) pays a page fault and a kernel
/// page-zeroing per 4 KiB of every large tensor: about a fifth of the CPU time of a Lite0
/// forward+backward at batch 16. With mmap disabled and trimming off, freed blocks stay in
/// the heap and the next pass reuses them.
///
/// One arena: glibc gives each thread that allocates its own arena of 64 MiB heaps, deletes
/// a heap (munmap) as soon as it is entirely free whatever the trim threshold, and serves a
/// block too large for a heap with a direct mmap whatever the mmap limit. The executor runs
/// tasks on its own threads, so there every pass faulted its tensors in again: 76% of a
/// DeepSHAP task's CPU time was the kernel zeroing pages (1.73 s against 0.34 s per task with
/// the settings below, peak memory 1.95 against 1.03 GB). The arena limit only binds threads
/// that have not allocated yet, so `xai` sets them through `glibcTunables` before it loads
/// (`LoadTimeEnvironment`); `Engine.init` applies them with `mallopt` for other hosts (tests).
///
/// Transparent huge pages for the heap (`glibc.malloc.hugetlb=1`: malloc asks for them with
/// madvise, which is what hosts whose THP mode is `madvise`, Debian's default, need): the
/// packed GEMM reads its input one row of B per k, and on 56x56 maps those rows are 12.5 KB
/// apart, each on a 4 KiB page of its own (with 2 MiB pages a block's rows share a few TLB
/// entries; this machine has no counters to confirm that this is where it pays). `xai bench`, three alternations, ms per image: ResNet-50 forward batch 1
/// 21.5-21.8 -> 20.9-21.1, batch 32 20.2-20.4 -> 19.2-19.3, forward+backward batch 16 49.5 ->
/// 47.4-47.9; Lite0 forward batch 32 2.26-2.30 -> 2.20-2.21; peak memory unchanged (683 MiB).
/// glibc has no mallopt for it, so it comes only through the re-exec.
///
/// Set XAI_MALLOC_TUNING=0 to leave glibc's defaults.
public enum MemoryTuning {
    /// (mallopt parameter number from malloc.h, which the Glibc module does not export, or nil
    /// where there is none; GLIBC_TUNABLES name; value).
    private static let settings: [(Int32?, String, Int32)] = [
        (-8, "glibc.malloc.arena_max", 1),
        (-4, "glibc.malloc.mmap_max", 0),
        (-1, "glibc.malloc.trim_threshold", Int32.max),
        (nil, "glibc.malloc.hugetlb", 1),
    ]

    private static var enabled: Bool { ProcessInfo.processInfo.environment["XAI_MALLOC_TUNING"] != "0" }

    /// The settings as a GLIBC_TUNABLES value; nil when tuning is off or not on Linux.
    public static var glibcTunables: String? {
        #if os(Linux)
        guard enabled else { return nil }
        return settings.map { "\($0.1)=\($0.2)" }.joined(separator: ":")
        #else
        return nil
        #endif
    }

    /// Applies the settings through `mallopt` once per process (later reads are no-ops).
    static let apply: Void = {
        #if os(Linux)
        guard enabled else { return }
        // Looked up at run time: present in glibc, absent in other C libraries (then a no-op).
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        for case let (parameter?, _, value) in settings { _ = mallopt(parameter, value) }
        #endif
    }()
}
