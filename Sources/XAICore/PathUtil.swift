/// Path arithmetic on plain strings, for paths users write (`images: a`, `extends: ../base.yaml`).
/// No `NSString` path methods: they crashed on one-character paths on Linux (issue 14, item 7);
/// these handle every string, the empty one included, and never touch the file system.
public enum PathUtil {
    /// Removes `.` components and duplicate slashes, and folds `dir/..` where possible;
    /// leading `..` components of a relative path are kept.
    public static func normalize(_ p: String) -> String {
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
    public static func join(_ base: String?, _ p: String) -> String {
        guard let base, !p.hasPrefix("/") else { return normalize(p) }
        return normalize(base + "/" + p)
    }

    /// The folder holding `p`: `a/b/c.yaml` -> `a/b`, `/c` -> `/`, and nil for a bare name
    /// (`q`, `c.yaml`), which lies in the current directory.
    public static func parent(_ p: String) -> String? {
        var path = Substring(p)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return nil }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The last component: `a/b/c.png` -> `c.png`, `a` -> `a`, `a/` -> `a`.
    public static func lastComponent(_ p: String) -> String {
        let parts = p.split(separator: "/", omittingEmptySubsequences: true)
        return parts.last.map(String.init) ?? p
    }

    /// The extension of the last component without the dot (`c.PNG` -> `PNG`); empty when it has
    /// none (`.hidden` and `a.` have none).
    public static func pathExtension(_ p: String) -> String {
        let name = lastComponent(p)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// `p` without the extension of its last component (`a/b.onnx` -> `a/b`).
    public static func deletingExtension(_ p: String) -> String {
        let ext = pathExtension(p)
        return ext.isEmpty ? p : String(p.dropLast(ext.count + 1))
    }

    /// The last component without its extension: `a/b/c.png` -> `c`.
    public static func stem(_ p: String) -> String {
        deletingExtension(lastComponent(p))
    }
}
