import Foundation
import XAIExperiment

/// Loads each model once per process; safe to call from several tasks at once.
final class ModelStore: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [String: LoadedModel] = [:]

    func model(_ spec: ModelSpec) throws -> LoadedModel {
        lock.lock()
        defer { lock.unlock() }
        if let m = models[spec.path] { return m }
        let m = try LoadedModel(spec: spec)
        models[spec.path] = m
        return m
    }
}
