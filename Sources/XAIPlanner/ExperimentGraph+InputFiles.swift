import Foundation
import XAICore
import XAIExperiment

/// The files besides a model file and the images that a result depends on, hashed into the
/// cache keys so that changing their bytes recomputes what read them: a model's companion files
/// (an ONNX model's external data, `model.onnx.data`) and the files a method parameter names
/// (gradient_shap / deep_shap `baselines:` as a folder or glob of background images).
extension ExperimentGraph {
    /// The identity of `model`: the hash of its file alone when it reads no other file, else the
    /// hash of that hash and each companion file's name and contents (sorted by path).
    static func modelHash(fileHash: String, companions: [String], hasher: FileHasher) throws -> String {
        guard !companions.isEmpty else { return fileHash }
        return ContentHash.sha256(string: "model \(fileHash)\n" + (try listing(companions.sorted(), hasher: hasher)))
    }

    /// Key inputs for the files that `run`'s parameters name, by parameter (`files.<name>`): the
    /// hash of the listed files' names, in the order the method reads them, and contents. A
    /// pattern that lists no usable files keys its problem instead; the task then fails with the
    /// method's message for it.
    static func parameterFileInputs(_ run: MethodRun, hasher: FileHasher) throws -> [String: String] {
        var inputs: [String: String] = [:]
        for spec in run.specs {
            guard case let .choiceNumberOrPath(words, _) = spec.type,
                  let pattern = run.params[spec.name]?.stringValue, !words.contains(pattern) else { continue }
            let key = "files.\(spec.name)"
            let paths: [String]
            do {
                paths = try ImageFileSet.paths(pattern)
            } catch let problem as ImageFileSet.Problem {
                inputs[key] = "unusable: \(problem.description)"
                continue
            }
            inputs[key] = ContentHash.sha256(string: try listing(paths, hasher: hasher))
        }
        return inputs
    }

    /// One line per file, in the given order: its name and its contents' hash.
    private static func listing(_ paths: [String], hasher: FileHasher) throws -> String {
        try paths.map { "\(URL(fileURLWithPath: $0).lastPathComponent)\u{0}\(try hasher.sha256(file: URL(fileURLWithPath: $0)))\n" }
            .joined()
    }
}
