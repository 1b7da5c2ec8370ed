import Foundation
import XAICore
import XAIManifest
import XAIMethods
import XAIPlanner

/// Intermediate results shared between tasks (e.g. model outputs on 1000 LIME masks, the
/// logits of the curve metrics' perturbed pictures), stored as .npy files under
/// `<cache>/intermediate/`. A method's key names only what determines the result, so refitting
/// with another kernel width finds the outputs of the earlier run. Writes are atomic; an
/// unreadable entry counts as absent and is recomputed.
///
/// The files are untrusted like every cache file: only a regular file is read (a symbolic
/// link is not followed), at most `maxBytes` long. A file's modification time says when it
/// was last written or read (`load` renews it), which is what `removeUnused(since:dryRun:)`,
/// called by `xai gc`, goes by.
public final class DiskIntermediateCache: IntermediateCache, @unchecked Sendable {
    public let folder: URL
    /// Largest entry read (RISE's 4000 x 1000 logits are 16 MB).
    static let maxBytes = 1 << 29

    public init(cacheRoot: URL) {
        folder = cacheRoot.appendingPathComponent("intermediate", isDirectory: true)
    }

    private func url(_ key: String) -> URL {
        folder.appendingPathComponent(ContentHash.sha256(string: key) + ".npy")
    }

    public func load(_ key: String) -> Tensor? {
        let path = url(key).path
        guard let bytes = try? RegularFile.read(path, maxBytes: Self.maxBytes, followLinks: false),
              let tensor = try? NPY.decode(Data(bytes), path: path) else { return nil }
        // Used now: `xai gc` keeps it as long as the runs it keeps.
        utimensat(AT_FDCWD, path, nil, AT_SYMLINK_NOFOLLOW)
        return tensor
    }

    public func store(_ key: String, _ value: Tensor) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? NPY.write(value, to: url(key))
    }

    /// Removes (or with `dryRun` only counts) the entries last written or read before `date`.
    /// Only regular files named like entries are touched; anything else in the folder is left.
    public func removeUnused(since date: Date, dryRun: Bool) -> (files: Int, bytes: Int64) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return (0, 0) }
        let cutoff = date.timeIntervalSince1970
        var files = 0, bytes: Int64 = 0
        for name in names where Self.isEntryName(name) {
            let path = folder.appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
            guard modified < cutoff else { continue }
            if dryRun || unlink(path) == 0 {
                files += 1
                bytes += Int64(info.st_size)
            }
        }
        return (files, bytes)
    }

    /// 64 lowercase hex digits and ".npy", as `url(_:)` names entries.
    static func isEntryName(_ name: String) -> Bool {
        name.hasSuffix(".npy") && CacheStore.isHex(String(name.dropLast(4)), length: 64)
    }
}
