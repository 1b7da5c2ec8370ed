import Foundation
import XAICore

extension ONNXImporter {
    /// The external data files (`model.onnx.data`) the model at `path` reads its initializers
    /// from, as paths in the model's folder, sorted and each once: what the model's identity in a
    /// cache key must cover besides the model file. Only locations the importer would accept (a
    /// plain file name, `ExternalData`) that are regular files, not links, are listed; a model
    /// naming a missing or refused file fails to import with a message naming it, so it adds
    /// nothing to hash here.
    /// - Throws: `ONNXError` for a model file that is missing, unreadable or malformed.
    public static func externalDataFiles(contentsOf path: String) throws -> [String] {
        let model = try decodeModel(try mappedFile(path), source: path)
        let directory = PathUtil.parent(path) ?? "."
        var files = Set<String>()
        for t in model.graph.initializer {
            guard let location = t.externalData.first(where: { $0.key == "location" })?.value,
                  PathComponent.problem(location) == nil else { continue }
            let file = PathUtil.join(directory, location)
            if (try? RegularFile.size(file, maxBytes: ExternalData.maxFileBytes, followLinks: false)) != nil {
                files.insert(file)
            }
        }
        return files.sorted()
    }
}
