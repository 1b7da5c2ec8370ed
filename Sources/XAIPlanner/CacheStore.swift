import Foundation
import XAIManifest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A content-addressed store of task results under `<outputs>/.cache/`.
///
/// Each entry is a folder `<kk>/<key>/` (kk: the first two hex digits) holding the task's
/// files and a `meta.json`. Entries are written into a staging folder under `tmp/` on the
/// same file system and renamed into place in one step, so a half-written entry is never
/// visible: a run killed at any moment leaves at most a staging folder, which is ignored and
/// later removed by `removeStaleTemporaries` or `gc`. The store is shared by every
/// experiment under the same outputs folder and by concurrent runs of different experiments.
public final class CacheStore: @unchecked Sendable {
    /// The cache folder.
    public let root: URL
    /// Test hook called during `commit`; throwing aborts the commit like a crash at that point would.
    public var faultInjection: (@Sendable (CommitStage, URL) throws -> Void)?

    static let metaName = "meta.json"

    /// A store in `root`, created when missing.
    public init(root: URL) throws {
        self.root = root
        do {
            try FileManager.default.createDirectory(at: temporaryRoot, withIntermediateDirectories: true)
        } catch {
            throw OutputError.io(path: root.path, operation: "create cache folder", error: error)
        }
    }

    /// The store of an outputs folder: `<outputs>/.cache`.
    public convenience init(outputs: URL) throws {
        try self.init(root: outputs.appendingPathComponent(".cache"))
    }

    var temporaryRoot: URL { root.appendingPathComponent("tmp") }

    /// The folder an entry with `key` lives in (whether or not it exists).
    public func directory(for key: CacheKey) -> URL {
        root.appendingPathComponent(String(key.hex.prefix(2))).appendingPathComponent(key.hex)
    }

    /// The complete entry for `key`, or nil: `inspect`'s entry when it found one.
    public func lookup(_ key: CacheKey) -> CachedEntry? {
        inspect(key).entry
    }

    /// The largest `meta.json` read: a joint task over thousands of images lists a few
    /// hundred kilobytes of files; anything far larger is not one xai wrote.
    static let maxMetaBytes = 16 << 20

    /// What the store holds under `key`. Cheap: reads `meta.json` and checks that each listed
    /// file is a regular file of its recorded size; contents are checked when read
    /// (`CachedEntry.data`). An entry of an older format counts as absent; one whose
    /// `meta.json` is unreadable or names another key, or whose files are missing or of another
    /// size, is damaged (and replaced on commit).
    public func inspect(_ key: CacheKey) -> CacheLookup {
        let dir = directory(for: key)
        guard (try? OutputTree.kind(of: dir.path)) != .missing else { return .absent }
        let metaURL = dir.appendingPathComponent(Self.metaName)
        func damaged(_ detail: String) -> CacheLookup { .damaged(.invalid(file: Self.metaName, detail: detail)) }
        var st = stat()
        guard lstat(metaURL.path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return damaged("missing or not a file") }
        guard st.st_size <= Self.maxMetaBytes else { return damaged("\(st.st_size) bytes, more than any entry's metadata") }
        guard let data = try? Data(contentsOf: metaURL) else { return damaged("unreadable") }
        struct Format: Decodable { var format: Int? }
        guard let format = try? JSONDecoder().decode(Format.self, from: data) else { return damaged("not valid JSON") }
        guard format.format == CacheEntryMeta.currentFormat else { return .absent }
        guard let meta = try? JSONDecoder().decode(CacheEntryMeta.self, from: data) else {
            return damaged("not the metadata of a cache entry")
        }
        guard meta.key == key else { return damaged("names another key, \(meta.key.prefix())") }
        for (name, record) in meta.files.sorted(by: { $0.key < $1.key }) {
            do {
                try record.checkOnDisk(dir.appendingPathComponent(name), file: name)
            } catch {
                return .damaged(error as? CacheDamage ?? .unreadable(file: name, detail: "\(error)"))
            }
        }
        return .found(CachedEntry(key: key, directory: dir, meta: meta))
    }

    /// Commits an entry: `write` fills a staging folder, then the folder becomes visible at once.
    ///
    /// `meta.files` is filled in from what `write` created. If an entry for `key` already
    /// exists it is kept (results for equal keys are equivalent) unless `replace` is true.
    @discardableResult
    public func commit(_ key: CacheKey, meta: CacheEntryMeta, replace: Bool = false,
                       write: (URL) throws -> Void) throws -> CachedEntry {
        try commit(key, replace: replace) { dir in
            try write(dir)
            return meta
        }
    }

    /// Like `commit(_:meta:replace:write:)`, for producers that know their metadata (timings,
    /// info) only after writing their files: `produce` fills the folder and returns the meta.
    @discardableResult
    public func commit(_ key: CacheKey, replace: Bool = false,
                       produce: (URL) throws -> CacheEntryMeta) throws -> CachedEntry {
        let staging = temporaryRoot.appendingPathComponent(Self.temporaryName(key.hex))
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw OutputError.io(path: staging.path, operation: "create staging folder", error: error)
        }
        var committed = false
        defer { if !committed { try? fm.removeItem(at: staging) } }

        var meta = try produce(staging)
        meta.key = key
        meta.files = try Self.records(staging)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(encoder.encode(meta), to: staging.appendingPathComponent(Self.metaName))
        try faultInjection?(.beforeRename, staging)

        let final = directory(for: key)
        do {
            try fm.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw OutputError.io(path: final.deletingLastPathComponent().path, operation: "create cache folder", error: error)
        }
        if fm.fileExists(atPath: final.path) {
            if !replace, let existing = lookup(key) {
                return existing  // another task or run committed the same key first
            }
            // Move the old (or broken) entry aside in one step, then drop it.
            let trash = temporaryRoot.appendingPathComponent(Self.temporaryName("old-" + key.hex))
            if rename(final.path, trash.path) == 0 { try? fm.removeItem(at: trash) }
        }
        if rename(staging.path, final.path) != 0 {
            let err = errno
            if (err == EEXIST || err == ENOTEMPTY), let existing = lookup(key) {
                return existing  // lost a race with a concurrent commit of the same key
            }
            throw OutputError.io(path: final.path, operation: "move cache entry into place",
                                  detail: String(cString: strerror(err)))
        }
        committed = true
        return CachedEntry(key: key, directory: final, meta: meta)
    }

    /// Commits an entry made of in-memory files (relative path -> bytes).
    @discardableResult
    public func commit(_ key: CacheKey, files: [String: Data], meta: CacheEntryMeta,
                       replace: Bool = false) throws -> CachedEntry {
        try commit(key, meta: meta, replace: replace) { dir in
            for (name, data) in files {
                try AtomicFile.write(data, to: dir.appendingPathComponent(name))
            }
        }
    }

    /// The size and SHA-256 of each file a task wrote into `staging`.
    static func records(_ staging: URL) throws -> [String: CachedFile] {
        var files = [String: CachedFile]()
        for name in try listFiles(staging) where name != metaName {
            let url = staging.appendingPathComponent(name)
            guard try OutputTree.kind(of: url.path) == .regularFile else {
                throw OutputError.io(path: url.path, operation: "cache", detail: "it is not a regular file")
            }
            do {
                files[name] = CachedFile(of: try Data(contentsOf: url))
            } catch {
                throw OutputError.io(path: url.path, operation: "read back", error: error)
            }
        }
        return files
    }

    /// Removes an entry (no error when it is absent).
    public func remove(_ key: CacheKey) throws {
        let dir = directory(for: key)
        guard FileManager.default.fileExists(atPath: dir.path) else { return }
        let trash = temporaryRoot.appendingPathComponent(Self.temporaryName("old-" + key.hex))
        guard rename(dir.path, trash.path) == 0 else {
            throw OutputError.io(path: dir.path, operation: "remove cache entry", detail: String(cString: strerror(errno)))
        }
        try? FileManager.default.removeItem(at: trash)
    }

    /// Keys of every entry folder in the store (complete or not), sorted.
    public func allKeys() -> [CacheKey] {
        let fm = FileManager.default
        var keys = [CacheKey]()
        for shard in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where Self.isHex(shard, length: 2) {
            for name in (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(shard).path)) ?? []
            where Self.isHex(name, length: 64) && name.hasPrefix(shard) {
                keys.append(CacheKey(hex: name))
            }
        }
        return keys.sorted()
    }

    /// Whether `s` is `length` lowercase hexadecimal digits (how entries and shards are named).
    public static func isHex(_ s: String, length: Int) -> Bool {
        s.utf8.count == length && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Every file below `dir`, relative to it, sorted. Symbolic links are listed as files, never
    /// followed.
    static func listFiles(_ dir: URL) throws -> [String] {
        let fm = FileManager.default
        var out = [String]()
        func walk(_ url: URL, _ prefix: String) throws {
            let names: [String]
            do {
                names = try fm.contentsOfDirectory(atPath: url.path)
            } catch {
                throw OutputError.io(path: url.path, operation: "list", error: error)
            }
            for name in names {
                let child = url.appendingPathComponent(name)
                if try OutputTree.kind(of: child.path) == .folder {
                    try walk(child, prefix + name + "/")
                } else {
                    out.append(prefix + name)
                }
            }
        }
        try walk(dir, "")
        return out.sorted()
    }

    /// `<label>-<host>-<pid>-<random>`: the host and pid tell a dead run's leftovers from a live
    /// run's work. The host matters when shards on several machines share one cache over NFS: a
    /// pid means nothing on another machine, so only this host's folders are judged by pid.
    static func temporaryName(_ label: String) -> String {
        "\(label)-\(hostTag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// This machine's name as one field of a staging folder's name: letters, digits and `_`.
    static let hostTag: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let tag = String(name.prefix(64).map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return tag.isEmpty ? "localhost" : tag
    }()
}
