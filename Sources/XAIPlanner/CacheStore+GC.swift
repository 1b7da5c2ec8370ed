import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CacheStore {
    /// Removes staging folders left by runs that are no longer alive and returns their names.
    /// Folders of live processes (including this one) are kept: they may be mid-commit.
    @discardableResult
    public func removeStaleTemporaries(dryRun: Bool = false) -> [String] {
        stale().map { name in
            if !dryRun { try? FileManager.default.removeItem(at: temporaryRoot.appendingPathComponent(name)) }
            return name
        }
    }

    /// How long a staging folder of another machine is left alone: its pid cannot be checked
    /// from here, and no task takes this long between creating the folder and committing it.
    static let foreignStagingLifetime: TimeInterval = 7 * 24 * 3600

    private func stale() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporaryRoot.path)) ?? []
        return names.filter { name in
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return true }
            // Names without a host (`[old-]<hex>-<pid>-<random>`) come from a version of xai that
            // ran on one machine only.
            let hasHost = parts.count >= 5 || (parts.count == 4 && parts[0] != "old")
            if hasHost, parts[parts.count - 3] != Self.hostTag {
                let url = temporaryRoot.appendingPathComponent(name)
                let modified = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
                return modified.map { Date().timeIntervalSince($0) > Self.foreignStagingLifetime } ?? false
            }
            return !Self.isAlive(pid)
        }.sorted()
    }

    static func isAlive(_ pid: Int32) -> Bool {
        if pid == getpid() { return true }
        if kill(pid, 0) == 0 { return true }
        return errno == EPERM  // exists but belongs to someone else
    }

    /// Removes every entry whose key is not in `keeping`, plus stale staging folders, holding
    /// the cache's `CacheUseLock` exclusively so no running run loses an entry it uses.
    /// With `dryRun`, only reports what would be removed (and takes no lock).
    /// - Throws: `PlannerError.cacheInUse` while a run holds the cache.
    public func gc(keeping: Set<CacheKey>, dryRun: Bool) throws -> GCReport {
        let lock = dryRun ? nil : try CacheUseLock(self, mode: .exclusive)
        defer { lock?.unlock() }
        let doomed = allKeys().filter { !keeping.contains($0) }
        var bytes: Int64 = 0
        var entryBytes = [CacheKey: Int64]()
        for key in doomed {
            let size = Self.size(of: directory(for: key))
            entryBytes[key] = size
            bytes += size
            if !dryRun { try remove(key) }
        }
        let temps = stale()
        for name in temps { bytes += Self.size(of: temporaryRoot.appendingPathComponent(name)) }
        if !dryRun { removeStaleTemporaries() }
        if !dryRun {
            // Drop shard folders emptied by the removals (rmdir fails harmlessly on non-empty ones).
            for key in doomed { rmdir(directory(for: key).deletingLastPathComponent().path) }
        }
        return GCReport(removedEntries: doomed, removedTemporaries: temps, bytes: bytes, entryBytes: entryBytes,
                        dryRun: dryRun)
    }

    static func size(of url: URL) -> Int64 {
        let fm = FileManager.default
        guard let e = fm.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total: Int64 = 0
        for case let f as URL in e {
            total += Int64((try? f.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
        return total
    }
}
