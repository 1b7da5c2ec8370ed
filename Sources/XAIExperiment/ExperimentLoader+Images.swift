import Foundation
import XAICore

// `images:` — one entry or a list; each a file, a folder (its .png/.jpg/.jpeg files, not
// recursive, sorted) or a glob (see `Glob`). Files reached twice are kept once (first place).
extension ExperimentBuilder {
    static let imageExtensions = ["png", "jpg", "jpeg"]

    static func isImageFile(_ p: String) -> Bool {
        imageExtensions.contains((p as NSString).pathExtension.lowercased())
    }

    func readImages() -> [ImageSpec] {
        guard let n = node("images") else {
            sink.error(fileStart, "`images:` is required (files, folders or globs such as Experiments/images/*.png)")
            return []
        }
        let patterns: [YAMLNode]
        if n.text != nil { patterns = [n] } else if let items = n.items, !items.isEmpty { patterns = items } else {
            sink.error(n.location, "`images` must be a path or a non-empty list of paths, got \(n.kindDescription)")
            return []
        }
        var found: [(path: String, at: SourceLocation)] = []
        var seen = Set<String>()
        for p in patterns {
            guard let s = sink.string(p, "an image path") else { continue }
            for f in expand(s, at: p.location) where seen.insert(PathUtil.canonical(f)).inserted {
                found.append((f, p.location))
            }
        }
        // Ids: sanitised stems; on a clash later images get -2, -3, ... (never another image's stem).
        let stems = found.map { ExperimentBuilder.sanitizedID(PathUtil.stem($0.path)) }
        var used = Set<String>()
        var reserved = Set(stems)
        var out: [ImageSpec] = []
        for (i, f) in found.enumerated() {
            var id = stems[i]
            if used.contains(id) {
                var k = 2
                while used.contains("\(stems[i])-\(k)") || reserved.contains("\(stems[i])-\(k)") { k += 1 }
                id = "\(stems[i])-\(k)"
            }
            used.insert(id)
            reserved.insert(id)
            locations["images.\(id)"] = f.at
            out.append(ImageSpec(id: id, path: f.path))
        }
        return out
    }

    /// A file stem made safe for task ids and output file names.
    static func sanitizedID(_ stem: String) -> String {
        var s = String(stem.unicodeScalars.map { c -> Character in
            let ok = c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
                                   || c == "-" || c == "_" || c == ".")
            return ok ? Character(c) : "_"
        })
        if s.isEmpty || s.hasPrefix(".") { s = "_" + s }
        return s
    }

    private func expand(_ pattern: String, at loc: SourceLocation) -> [String] {
        let path = resolve(pattern)
        if Glob.hasWildcards(pattern) {
            let all = Glob.expand(path)
            let images = all.filter(ExperimentBuilder.isImageFile)
            if images.isEmpty {
                sink.error(loc, all.isEmpty ? "'\(pattern)' matches no files"
                           : "'\(pattern)' matches \(all.count) file(s) but no .png/.jpg/.jpeg images")
            }
            return images
        }
        if PathUtil.isDirectory(path) {
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            let images = entries.filter { !$0.hasPrefix(".") && ExperimentBuilder.isImageFile($0) }
                .map { PathUtil.join(path, $0) }.filter { PathUtil.isFile($0) }
            if images.isEmpty { sink.error(loc, "folder '\(pattern)' holds no .png/.jpg/.jpeg images") }
            return images
        }
        guard PathUtil.isFile(path) else {
            let dir = (path as NSString).deletingLastPathComponent
            let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []).sorted()
            sink.error(loc, "image not found: '\(pattern)'" + didYouMean((path as NSString).lastPathComponent, siblings))
            return []
        }
        guard ExperimentBuilder.isImageFile(path) else {
            sink.error(loc, "'\(pattern)' is not a PNG or JPEG file (expected .png, .jpg or .jpeg)")
            return []
        }
        return [path]
    }
}
