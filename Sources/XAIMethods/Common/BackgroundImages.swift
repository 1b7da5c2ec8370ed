import Foundation
import XAICore
import XAIImaging

/// Background images for an expected-value method's baseline distribution (gradient_shap,
/// deep_shap `baselines:`): the files `ImageFileSet` lists for a folder or glob (the planner
/// hashes the same list into the cache key), each read as a regular file under the image
/// limits, then resized and centre-cropped like the inputs (`Preprocess.cropped`).
enum BackgroundImages {
    /// The files `pattern` names, sorted; an error naming `method` and `parameter` when there are none,
    /// too many, or a link among them.
    static func paths(_ pattern: String, method: MethodKind, parameter: String) throws -> [String] {
        do {
            return try ImageFileSet.paths(pattern)
        } catch let problem as ImageFileSet.Problem {
            throw MethodError.invalidParameter(method: method.rawValue, parameter: parameter, detail: problem.description)
        }
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
}
