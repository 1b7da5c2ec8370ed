import Foundation
import XAICore

// `images:` — one entry or a list; each a file, a folder (its .png/.jpg/.jpeg files, not
// recursive, sorted) or a glob (see `Glob`). Files reached twice are kept once (first place).
extension ExperimentBuilder {
    static let imageExtensions = ["png", "jpg", "jpeg"]

    static func isImageFile(_ p: String) -> Bool {
        imageExtensions.contains(PathUtil.pathExtension(p).lowercased())
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
        let stems = found.map { PathComponent.sanitized(PathUtil.stem($0.path), reserve: 8).string }
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

    private func expand(_ pattern: String, at loc: SourceLocation) -> [String] {
        let path = resolve(pattern)
        if Glob.hasWildcards(pattern) {
            let all: [String]
            do {
                all = try Glob.expand(path)
            } catch {
                sink.error(loc, "'\(pattern)' would look at more than \(Glob.maxEntries) files and folders; "
                           + "name the folders to search more precisely")
                return []
            }
            let images = all.filter(ExperimentBuilder.isImageFile)
            if images.isEmpty {
                sink.error(loc, all.isEmpty ? "'\(pattern)' matches no files"
                           : "'\(pattern)' matches \(all.count) file(s) but no .png/.jpg/.jpeg images")
            } else {
                noteSkipped(all.filter { !ExperimentBuilder.isImageFile($0) }.map(PathUtil.lastComponent),
                            of: all.count, by: pattern, at: loc)
            }
            return images
        }
        if PathUtil.isDirectory(path) {
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                .filter { !$0.hasPrefix(".") && PathUtil.isFile(PathUtil.join(path, $0)) }
            let images = entries.filter(ExperimentBuilder.isImageFile).map { PathUtil.join(path, $0) }
            if images.isEmpty {
                sink.error(loc, "folder '\(pattern)' holds no .png/.jpg/.jpeg images")
            } else {
                noteSkipped(entries.filter { !ExperimentBuilder.isImageFile($0) }, of: entries.count, by: pattern, at: loc)
            }
            return images
        }
        guard PathUtil.isFile(path) else {
            let name = PathUtil.lastComponent(path), dir = PathUtil.parent(path) ?? "."
            var link = stat()
            if FileManager.default.fileExists(atPath: path) && !PathUtil.isDirectory(path) {
                sink.error(loc, "'\(pattern)' is not a regular file (a device, FIFO or socket); give a PNG or JPEG file")
                return []
            }
            if lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
                sink.error(loc, "'\(pattern)' is a symbolic link that leads to no file (its target is missing or it loops)")
                return []
            }
            // Only images that exist are worth suggesting (a dangling link is listed but is not one).
            let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
                .filter { $0 != name && ExperimentBuilder.isImageFile($0) && PathUtil.isFile(PathUtil.join(dir, $0)) }
            sink.error(loc, "image not found: '\(pattern)'" + didYouMean(name, siblings))
            return []
        }
        guard ExperimentBuilder.isImageFile(path) else {
            sink.error(loc, "'\(pattern)' is not a PNG or JPEG file (expected .png, .jpg or .jpeg)")
            return []
        }
        return [path]
    }

    /// Says which files a glob or folder matched but left out, so that a folder of mixed files
    /// does not silently lose some (at most five names, then a count).
    private func noteSkipped(_ names: [String], of total: Int, by pattern: String, at loc: SourceLocation) {
        guard !names.isEmpty else { return }
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
        sink.note(loc, "'\(pattern)' matches \(total) file(s); skipped \(names.count) that are not .png/.jpg/.jpeg images: \(shown)")
    }
}
