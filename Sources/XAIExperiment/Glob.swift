import Foundation
import XAICore

/// File name patterns for `images:`: `*` (any characters except `/`), `?` (one character),
/// `[abc]` / `[a-z]` (one of a set) within a path component, and `**` as a whole component
/// for zero or more folders. Wildcards do not match names starting with `.` unless the pattern
/// component does. Results are regular files, sorted by path.
enum Glob {
    /// The most directory entries one pattern may look at: a glob over a huge tree (or one made
    /// huge by symbolic links) is refused rather than listed for minutes.
    static let maxEntries = 200_000

    /// `**` descends at most this many folders deep.
    static let maxDepth = 32

    struct TooManyEntries: Error, Equatable {
        let limit: Int
    }

    static func hasWildcards(_ s: String) -> Bool {
        s.contains("*") || s.contains("?") || s.contains("[")
    }

    /// The regular files matching `pattern`, sorted. Throws `TooManyEntries` when matching would
    /// look at more than `maxEntries` directory entries.
    static func expand(_ pattern: String) throws -> [String] {
        let absolute = pattern.hasPrefix("/")
        var components = pattern.split(separator: "/").map(String.init)
        if components.last == "**" { components.append("*") }
        var current: [String] = [absolute ? "/" : ""]
        var walk = Walk()
        for c in components {
            var next: [String] = []
            var seen = Set<String>()
            func add(_ p: String) { if seen.insert(p).inserted { next.append(p) } }
            for prefix in current {
                let dir = prefix.isEmpty ? "." : prefix
                if c == "**" {
                    add(prefix)
                    var visited = Set<FileID>()
                    if let id = FileID(dir) { visited.insert(id) }
                    for sub in try walk.subdirectories(of: dir, depth: 0, visited: &visited) {
                        add(join(prefix, relative(sub, to: dir)))
                    }
                } else if hasWildcards(c) {
                    for entry in try walk.listing(dir) where (!entry.hasPrefix(".") || c.hasPrefix(".")) && matches(c, entry) {
                        add(join(prefix, entry))
                    }
                } else if c == "." {
                    add(prefix)
                } else {
                    let p = join(prefix, c)
                    if FileManager.default.fileExists(atPath: p) { add(p) }
                }
            }
            current = next
        }
        return current.filter { PathUtil.isFile($0) }.sorted()
    }

    private static func join(_ prefix: String, _ name: String) -> String {
        if prefix.isEmpty { return name }
        if prefix == "/" { return "/" + name }
        return prefix + "/" + name
    }

    private static func relative(_ path: String, to dir: String) -> String {
        dir == "." ? path : String(path.dropFirst(dir.count + 1))
    }

    /// A folder's identity on disk, so that a folder reached again through a symbolic link
    /// (a loop, or two links to one folder) is walked once.
    private struct FileID: Hashable {
        let device: UInt64, inode: UInt64

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// The directory listings of one expansion, counted against `maxEntries`.
    private struct Walk {
        var entries = 0

        mutating func listing(_ dir: String) throws -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            entries += names.count
            guard entries <= Glob.maxEntries else { throw TooManyEntries(limit: Glob.maxEntries) }
            return names.sorted()
        }

        /// Non-hidden folders below `dir` (as `dir/...` paths, or bare relative paths when dir is
        /// `.`), each folder once, at most `maxDepth` levels deep.
        mutating func subdirectories(of dir: String, depth: Int, visited: inout Set<FileID>) throws -> [String] {
            guard depth < Glob.maxDepth else { return [] }
            var out: [String] = []
            for e in try listing(dir) where !e.hasPrefix(".") {
                let p = dir == "." ? e : dir + "/" + e
                guard PathUtil.isDirectory(p), let id = FileID(p), visited.insert(id).inserted else { continue }
                out.append(p)
                out += try subdirectories(of: p, depth: depth + 1, visited: &visited)
            }
            return out
        }
    }

    /// Whether `name` matches the single-component `pattern`.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), n = Array(name)
        // Iterative matcher with backtracking to the last `*`.
        var pi = 0, ni = 0
        var star: Int? = nil, starN = 0
        while ni < n.count {
            if pi < p.count, p[pi] == "*" {
                star = pi
                starN = ni
                pi += 1
            } else if pi < p.count, let (ok, len) = single(p, pi, n[ni]), ok {
                pi += len
                ni += 1
            } else if let s = star {
                pi = s + 1
                starN += 1
                ni = starN
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Matches one character at pattern position `i`: returns (matched, pattern length used),
    /// or nil for a `*` (handled by the caller).
    private static func single(_ p: [Character], _ i: Int, _ c: Character) -> (Bool, Int)? {
        switch p[i] {
        case "*": return nil
        case "?": return (true, 1)
        case "[":
            guard let close = p[(i + 1)...].firstIndex(of: "]"), close > i + 1 else { return (p[i] == c, 1) }
            var set = Array(p[(i + 1)..<close])
            var negate = false
            if set.first == "!" || set.first == "^" { negate = true; set.removeFirst() }
            var hit = false, k = 0
            while k < set.count {
                if k + 2 < set.count, set[k + 1] == "-" {
                    if set[k] <= c && c <= set[k + 2] { hit = true }
                    k += 3
                } else {
                    if set[k] == c { hit = true }
                    k += 1
                }
            }
            return (hit != negate, close - i + 1)
        default:
            return (p[i] == c, 1)
        }
    }
}
