import Foundation
import XAIManifest

/// Hashes files once per run and, optionally, across runs.
///
/// Within a run, a file is identified by its path and a stat signature (size, modification
/// time in nanoseconds, inode), so an 18 MB model referenced by many tasks is read once.
/// With `memoURL` set, signatures and hashes persist in a small JSON file so re-runs skip
/// rehashing. A signature is only trusted when the file was last modified well before it was
/// hashed: a file written in the same instant as it was hashed could change again without
/// changing its mtime (the "racy clean" problem), so such entries are not persisted.
public final class FileHasher: @unchecked Sendable {
    struct Signature: Codable, Equatable {
        var size: Int64
        var mtimeNanoseconds: Int64
        var ctimeNanoseconds: Int64
        var inode: UInt64
    }

    struct MemoEntry: Codable, Equatable {
        var signature: Signature
        var sha256: String
    }

    private let lock = NSLock()
    /// Entries safe to persist (loaded from the memo file or hashed outside the racy window).
    private var entries: [String: MemoEntry] = [:]
    /// Entries valid for this run only.
    private var session: [String: MemoEntry] = [:]
    private var dirty = false
    /// Where signatures persist between runs; nil keeps the memo in memory only.
    public let memoURL: URL?
    /// Number of files actually read (for tests and progress messages).
    public private(set) var filesRead = 0

    /// Files modified less than this many seconds before hashing are not remembered across runs.
    static let racyWindowSeconds: Int64 = 2

    public init(memoURL: URL? = nil) {
        self.memoURL = memoURL
        if let memoURL, let data = try? Data(contentsOf: memoURL),
           let loaded = try? JSONDecoder().decode([String: MemoEntry].self, from: data) {
            // A memo that fails to decode is ignored: it only saves time, never decides content.
            entries = loaded
        }
    }

    /// The hex SHA-256 of the file at `url`, from the memo when its signature is unchanged.
    public func sha256(file url: URL) throws -> String {
        let path = url.standardizedFileURL.path
        let before = try Self.signature(path: path)
        lock.lock()
        for memo in [session[path], entries[path]] {
            if let e = memo, e.signature == before {
                lock.unlock()
                return e.sha256
            }
        }
        lock.unlock()

        let digest = try ContentHash.sha256(file: url)
        let after = try Self.signature(path: path)
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        lock.lock()
        defer { lock.unlock() }
        filesRead += 1
        if before == after { session[path] = MemoEntry(signature: after, sha256: digest) }
        // Only remember a hash when the file did not change while being read and is not racy.
        if before == after, now - after.mtimeNanoseconds > Self.racyWindowSeconds * 1_000_000_000,
           now - after.ctimeNanoseconds > Self.racyWindowSeconds * 1_000_000_000 {
            entries[path] = MemoEntry(signature: after, sha256: digest)
            dirty = true
        }
        return digest
    }

    /// Writes the memo file (atomically) when it changed. Entries for files that no longer
    /// exist are dropped.
    public func save() throws {
        guard let memoURL else { return }
        lock.lock()
        defer { lock.unlock() }
        guard dirty else { return }
        entries = entries.filter { FileManager.default.fileExists(atPath: $0.key) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(entries)
        try FileManager.default.createDirectory(at: memoURL.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try AtomicFile.write(data, to: memoURL)
        dirty = false
    }

    static func signature(path: String) throws -> Signature {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw OutputError.io(path: path, operation: "stat", detail: String(cString: strerror(errno)))
        }
        #if os(Linux)
        let m = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let c = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        #else
        let m = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        let c = Int64(st.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(st.st_ctimespec.tv_nsec)
        #endif
        return Signature(size: Int64(st.st_size), mtimeNanoseconds: m, ctimeNanoseconds: c, inode: UInt64(st.st_ino))
    }
}
