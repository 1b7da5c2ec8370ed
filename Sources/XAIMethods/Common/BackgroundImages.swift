import Foundation
import XAICore
import XAIImaging

/// Background images for an expected-value method's baseline distribution (gradient_shap,
/// deep_shap `baselines:`): a folder (its PNG and JPEG files) or a glob whose wildcards (`*`,
/// `?`, `[...]`) are in the last path component (`backgrounds/*.png`). Paths are relative to the
/// directory `xai` runs in. The files are untrusted: entries are listed without following links
/// (a link is an error), at most `maxCount`, each read as a regular file under the image limits,
/// then resized and centre-cropped like the inputs (`Preprocess.cropped`). Sorted by name, so the
/// order (and the background each sample takes) does not depend on the file system.
enum BackgroundImages {
    /// More backgrounds than this is an error (each is a full picture in memory).
    static let maxCount = 1000
    private static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// The files `pattern` names, sorted; an error naming `method` and `parameter` when there are none,
    /// too many, or a link among them.
    static func paths(_ pattern: String, method: MethodKind, parameter: String) throws -> [String] {
        func invalid(_ detail: String) -> MethodError {
            .invalidParameter(method: method.rawValue, parameter: parameter, detail: detail)
        }
        let folder: String, component: String?
        if isDirectory(pattern) {
            (folder, component) = (pattern, nil)
        } else {
            let url = URL(fileURLWithPath: pattern)
            (folder, component) = (url.deletingLastPathComponent().path, url.lastPathComponent)
            guard isDirectory(folder) else {
                throw invalid("'\(pattern)' is not a folder, and '\(folder)' holding its last component is not one either; give a folder of PNG/JPEG files or a glob such as backgrounds/*.png")
            }
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw invalid("cannot list the folder '\(folder)'")
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
                throw invalid("'\(path)' is a symbolic link; background images must be regular files")
            }
            guard info.st_mode & S_IFMT == S_IFREG else { continue }
            found.append(path)
            guard found.count <= maxCount else {
                throw invalid("'\(pattern)' names more than \(maxCount) images; use a smaller background set")
            }
        }
        guard !found.isEmpty else { throw invalid("'\(pattern)' names no PNG or JPEG files") }
        return found
    }

    /// The pictures `pattern` names, resized and cropped like the inputs (pixel space, 0...1).
    static func load(_ pattern: String, preprocess: Preprocess, method: MethodKind, parameter: String) throws -> [RGBImage] {
        try paths(pattern, method: method, parameter: parameter).map { path in
            do {
                return preprocess.cropped(try ImageIO.read(contentsOf: path))
            } catch {
                throw MethodError.invalidParameter(method: method.rawValue, parameter: parameter,
                                                   detail: "background image: \(error)")
            }
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
