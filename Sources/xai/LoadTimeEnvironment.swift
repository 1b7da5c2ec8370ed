import Foundation
import XAIEngine

/// Settings that libraries read from the environment when they load, before `main`, so the
/// only way to choose them is to set the variables and re-execute ourselves once:
/// - OPENBLAS_CORETYPE: Debian's OpenBLAS 0.3.21 does not recognise Zen 5 and falls back to its
///   AVX2 (Haswell) kernels, although its AVX-512 (SkylakeX) kernels are in the same library
///   and run 1.3-1.8x faster on conv-shaped sgemm here.
/// - GLIBC_TUNABLES: `MemoryTuning`'s malloc settings. Set through `mallopt` in `main` they come
///   too late for the arenas threads made while the process loaded, and a DeepSHAP task took
///   0.52-0.61 s against 0.34 s with the tunables (3 photos, 8 samples).
/// A variable the user has set is left as it is.
enum LoadTimeEnvironment {
    static func reexecIfUseful() {
        let env = ProcessInfo.processInfo.environment
        guard env["XAI_NO_REEXEC"] == nil else { return }
        var changed = false
        if env["OPENBLAS_CORETYPE"] == nil, hasAVX512() {
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
            changed = true
        }
        if env["GLIBC_TUNABLES"] == nil, let tunables = MemoryTuning.glibcTunables {
            setenv("GLIBC_TUNABLES", tunables, 1)
            changed = true
        }
        guard changed else { return }
        // Mark the re-exec so a failure to exec (or a library that ignores a variable) cannot loop.
        setenv("XAI_NO_REEXEC", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv only returns on failure: carry on with the defaults.
    }

    private static func hasAVX512() -> Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
    }
}
