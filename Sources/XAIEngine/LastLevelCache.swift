import Foundation

/// The last-level cache that this CPU's cores share, as Linux's sysfs describes it (the
/// highest `level` under /sys/devices/system/cpu/cpu0/cache). Not sysconf's
/// _SC_LEVEL3_CACHE_SIZE: glibc derives that from CPUID, which in this project's KVM guest on
/// an AMD EPYC (Zen 4) said 320 MiB where sysfs and the part say 32 MiB.
enum LastLevelCache {
    /// Its size in bytes; nil where sysfs does not say (another OS, a container without it).
    static let bytes: Int? = read(under: "/sys/devices/system/cpu/cpu0/cache")

    /// The size of the highest-level cache listed under `folder` (index0, index1, ...).
    static func read(under folder: String) -> Int? {
        var best: (level: Int, bytes: Int)?
        for i in 0..<16 {
            let index = folder + "/index\(i)/"
            guard let level = small(index + "level").flatMap({ Int($0) }),
                  let bytes = small(index + "size").flatMap(parse) else { continue }
            if level > best?.level ?? 0 { best = (level, bytes) }
        }
        return best?.bytes
    }

    /// "32768K" (sysfs's form), "1M" or a plain byte count -> bytes; nil for anything else.
    static func parse(_ text: String) -> Int? {
        let s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty else { return nil }
        let scale = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30][String(s.suffix(1))]
        guard let value = Int(scale == nil ? s : String(s.dropLast())), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale ?? 1)
        return overflow ? nil : bytes
    }

    /// A sysfs attribute's text (a few bytes; nil when missing or unreadable).
    private static func small(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 64)).flatMap { String(data: $0, encoding: .utf8) }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
