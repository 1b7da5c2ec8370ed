import Foundation
import XAIExperiment

/// Loads each model once per process and preprocessing (which sets the engine's input size);
/// safe to call from several tasks at once.
final class ModelStore: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [Key: LoadedModel] = [:]

    private struct Key: Hashable {
        var path: String
        var preprocess: PreprocessSpec
    }

    func model(_ spec: ModelSpec) throws -> LoadedModel {
        lock.lock()
        defer { lock.unlock() }
        let key = Key(path: spec.path, preprocess: spec.preprocess)
        if let m = models[key] { return m }
        let m = try LoadedModel(spec: spec)
        models[key] = m
        // The settings it resolved to find it too (the runner plans with those).
        models[Key(path: spec.path, preprocess: m.spec.preprocess)] = m
        return m
    }
}
