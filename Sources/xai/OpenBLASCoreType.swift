import Foundation

/// Debian's OpenBLAS 0.3.21 does not recognise Zen 5 and falls back to its AVX2 (Haswell)
/// kernels, although its AVX-512 (SkylakeX) kernels are in the same library and run 1.3-1.8x
/// faster on conv-shaped sgemm here. The core type is read when the library loads, before
/// `main`, so the only way to choose it is to set the variable and re-execute ourselves once.
enum OpenBLASCoreType {
    static func reexecIfUseful() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["XAI_OPENBLAS_NO_REEXEC"] == nil else { return }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return }
        guard let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        guard ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        // Mark the re-exec so a failure to exec (or a library that ignores the variable) cannot loop.
        setenv("XAI_OPENBLAS_NO_REEXEC", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv only returns on failure: carry on with the default kernels.
    }
}
