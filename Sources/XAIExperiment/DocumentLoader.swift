import Foundation
import XAICore

/// Reads an experiment file and the bases it `extends:`, merged into one tree.
///
/// `extends:` takes one path or a list; each is relative to the directory of the file that
/// names it. Bases are merged in order, then the including file over them: mappings merge key
/// by key (recursively), anything else (scalars, lists) is replaced by the child's value.
/// A file that extends itself, directly or through other files, is an error.
struct DocumentLoader {
    /// The largest experiment or model card file read (real ones are a few kilobytes).
    static let maxFileBytes = 4 << 20

    let sink: DiagnosticSink
    /// Every file read, the main file first (for `Experiment.sourceFiles`).
    private(set) var files: [String] = []
    /// Merged trees of the files loaded so far, by canonical path: a file reached along several
    /// `extends:` paths (a diamond) is read and merged once, not once per path.
    private var loaded: [String: YAMLNode?] = [:]

    init(sink: DiagnosticSink) {
        self.sink = sink
    }

    mutating func load(path: String) -> YAMLNode? {
        load(path: path, chain: [], includedAt: nil)
    }

    /// The text of a YAML file (an experiment, a base, a model card), or nil, reported at
    /// `reportAt` (else the file's start): only a regular UTF-8 file of at most `maxFileBytes`.
    static func readText(_ path: String, sink: DiagnosticSink, reportAt: SourceLocation?) -> String? {
        let fileLoc = SourceLocation(file: path, line: 1, column: 1)
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, maxBytes: maxFileBytes)
        } catch RegularFileError.notFound {
            sink.error(reportAt ?? fileLoc, "file not found: '\(path)'")
            return nil
        } catch {
            sink.error(reportAt ?? fileLoc, "\(error)")
            return nil
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            sink.error(reportAt ?? fileLoc, "'\(path)' is not UTF-8 text")
            return nil
        }
        return text
    }

    private mutating func load(path: String, chain: [(canonical: String, display: String)], includedAt: SourceLocation?) -> YAMLNode? {
        let canonical = PathUtil.canonical(path)
        if let i = chain.firstIndex(where: { $0.canonical == canonical }), let at = includedAt {
            let cycle = (chain[i...].map(\.display) + [path]).joined(separator: " -> ")
            sink.error(at, "`extends` cycle: \(cycle)")
            return nil
        }
        if let done = loaded[canonical] { return done }
        let result = read(path: path, canonical: canonical, chain: chain, includedAt: includedAt)
        loaded[canonical] = result
        return result
    }

    private mutating func read(path: String, canonical: String, chain: [(canonical: String, display: String)],
                               includedAt: SourceLocation?) -> YAMLNode? {
        let fileLoc = SourceLocation(file: path, line: 1, column: 1)
        guard let text = Self.readText(path, sink: sink, reportAt: includedAt) else { return nil }
        if !files.contains(path) { files.append(path) }
        guard var root = YAMLNode.parse(text, file: path, sink: sink) else {
            if sink.isEmpty { sink.error(fileLoc, "the experiment file is empty") }
            return nil
        }
        guard var entries = root.entries else {
            sink.error(root.location, "an experiment file must be a YAML mapping of settings (name:, images:, methods:, ...), "
                       + "got \(root.kindDescription)")
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
        let dir = PathUtil.parent(path)
        var merged: YAMLNode?
        let here = chain + [(canonical, path)]
        for b in bases {
            guard let rel = b.text else {
                sink.error(b.location, "`extends` entries must be file paths, got \(b.kindDescription)")
                continue
            }
            guard let base = load(path: PathUtil.join(dir, rel), chain: here, includedAt: b.location) else { continue }
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
