import Foundation

/// The image files a folder or a glob names (the background images of gradient_shap and
/// deep_shap's `baselines:`): a folder (its PNG and JPEG files) or a glob whose wildcards (`*`,
/// `?`, `[...]`) are in the last path component (`backgrounds/*.png`). Paths are relative to the
/// directory `xai` runs in. One listing serves the method that reads the files and the planner
/// that hashes them into the cache key, so both see the same files. The files are untrusted:
/// entries are listed without following links (a link is an error), at most `maxCount`, regular
/// files only, sorted by name so the order does not depend on the file system.
public enum ImageFileSet {
    /// More files than this is an error (each becomes a full picture in memory).
    public static let maxCount = 1000
    private static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Why a pattern names no usable set of files; `description` says how to fix it.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The files `pattern` names, sorted.
    /// - Throws: `Problem` when there are none, more than `maxCount`, or a link among them.
    public static func paths(_ pattern: String) throws -> [String] {
        let folder: String, component: String?
        if isDirectory(pattern) {
            (folder, component) = (pattern, nil)
        } else {
            let url = URL(fileURLWithPath: pattern)
            (folder, component) = (url.deletingLastPathComponent().path, url.lastPathComponent)
            guard isDirectory(folder) else {
                throw Problem(description: "'\(pattern)' is not a folder, and '\(folder)' holding its last component is not one either; give a folder of PNG/JPEG files or a glob such as backgrounds/*.png")
            }
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw Problem(description: "cannot list the folder '\(folder)'")
        }
        var found: [String] = []
        for name in entries.sorted() where !name.hasPrefix(".") {
            if let component {
                guard fnmatch(component, name, 0) == 0 else { continue }
            } else {
                guard extensions.contains(URL(fileURLWithPath: name).pathExtension.lowercased()) else { continue }
            }
            let path = folder == "/" ? "/" + name : folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            guard info.st_mode & S_IFMT != S_IFLNK else {
                throw Problem(description: "'\(path)' is a symbolic link; background images must be regular files")
            }
            guard info.st_mode & S_IFMT == S_IFREG else { continue }
            found.append(path)
            guard found.count <= maxCount else {
                throw Problem(description: "'\(pattern)' names more than \(maxCount) images; use a smaller background set")
            }
        }
        guard !found.isEmpty else { throw Problem(description: "'\(pattern)' names no PNG or JPEG files") }
        return found
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
