import Foundation

/// Reads an experiment file and the bases it `extends:`, merged into one tree.
///
/// `extends:` takes one path or a list; each is relative to the directory of the file that
/// names it. Bases are merged in order, then the including file over them: mappings merge key
/// by key (recursively), anything else (scalars, lists) is replaced by the child's value.
/// A file that extends itself, directly or through other files, is an error.
struct DocumentLoader {
    let sink: DiagnosticSink
    /// Every file read, the main file first (for `Experiment.sourceFiles`).
    private(set) var files: [String] = []

    init(sink: DiagnosticSink) {
        self.sink = sink
    }

    mutating func load(path: String) -> YAMLNode? {
        load(path: path, chain: [], includedAt: nil)
    }

    private mutating func load(path: String, chain: [(canonical: String, display: String)], includedAt: SourceLocation?) -> YAMLNode? {
        let canonical = PathUtil.canonical(path)
        if let i = chain.firstIndex(where: { $0.canonical == canonical }), let at = includedAt {
            let cycle = (chain[i...].map(\.display) + [path]).joined(separator: " -> ")
            sink.error(at, "`extends` cycle: \(cycle)")
            return nil
        }
        let fileLoc = SourceLocation(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            sink.error(includedAt ?? fileLoc, exists ? "cannot read '\(path)'" : "file not found: '\(path)'")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            sink.error(fileLoc, "'\(path)' is not UTF-8 text")
            return nil
        }
        if !files.contains(path) { files.append(path) }
        guard var root = YAMLNode.parse(text, file: path, sink: sink) else {
            if sink.isEmpty { sink.error(fileLoc, "the experiment file is empty") }
            return nil
        }
        guard var entries = root.entries else {
            sink.error(root.location, "an experiment file must be a mapping of settings (name:, images:, methods:, ...), got \(root.kindDescription)")
            return nil
        }
        guard let ext = entries.firstIndex(where: { $0.key == "extends" }) else { return root }
        let extNode = entries[ext].value
        entries.remove(at: ext)
        root.value = .mapping(entries)

        var bases: [YAMLNode] = []
        if extNode.text != nil {
            bases = [extNode]
        } else if let items = extNode.items {
            bases = items
        } else {
            sink.error(extNode.location, "`extends` takes a file path or a list of paths, got \(extNode.kindDescription)")
            return root
        }
        let dir = (path as NSString).deletingLastPathComponent
        var merged: YAMLNode?
        let here = chain + [(canonical, path)]
        for b in bases {
            guard let rel = b.text else {
                sink.error(b.location, "`extends` entries must be file paths, got \(b.kindDescription)")
                continue
            }
            let basePath = PathUtil.normalize(rel.hasPrefix("/") || dir.isEmpty ? rel : dir + "/" + rel)
            guard let base = load(path: basePath, chain: here, includedAt: b.location) else { continue }
            merged = merged.map { YAMLNode.merge(base: $0, child: base) } ?? base
        }
        return merged.map { YAMLNode.merge(base: $0, child: root) } ?? root
    }
}

extension YAMLNode {
    /// Deep merge: mappings key by key (the base's key order first, then the child's new keys),
    /// everything else replaced by the child.
    static func merge(base: YAMLNode, child: YAMLNode) -> YAMLNode {
        guard var out = base.entries, let add = child.entries else { return child }
        for e in add {
            if let i = out.firstIndex(where: { $0.key == e.key }) {
                out[i] = Entry(key: e.key, keyLocation: e.keyLocation, value: merge(base: out[i].value, child: e.value))
            } else {
                out.append(e)
            }
        }
        return YAMLNode(value: .mapping(out), location: child.location)
    }
}

/// Small path helpers (no file system access except `canonical`).
enum PathUtil {
    /// Removes `.` components and duplicate slashes, and folds `dir/..` where possible;
    /// leading `..` components of a relative path are kept.
    static func normalize(_ p: String) -> String {
        let absolute = p.hasPrefix("/")
        var parts: [Substring] = []
        for c in p.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if c == "..", absolute, parts.isEmpty { continue }
            parts.append(c)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `base/p` unless `p` is absolute or `base` is nil; normalised.
    static func join(_ base: String?, _ p: String) -> String {
        guard let base, !p.hasPrefix("/") else { return normalize(p) }
        return normalize(base + "/" + p)
    }

    /// An absolute, symlink-free path, for recognising the same file under two names.
    static func canonical(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
    }

    static func stem(_ p: String) -> String {
        ((p as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    static func isDirectory(_ p: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &dir) && dir.boolValue
    }

    static func isFile(_ p: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &dir) && !dir.boolValue
    }
}
