import Foundation
import XAIManifest

/// What the last run of an experiment computed, per task id (`Outputs/<name>/.plan-state.json`).
///
/// Keys alone say *that* a task changed; comparing with this record says *why* (parameters,
/// input files, implementation version, or an upstream task).
public struct PlanState: Codable, Equatable, Sendable {
    /// One task as last run.
    public struct Record: Codable, Equatable, Sendable {
        public var key: CacheKey
        public var kind: TaskKind
        public var params: [String: String]
        public var seed: UInt64?
        public var inputs: [String: String]
        public var version: Int
        /// Keys of the task's dependencies, sorted.
        public var dependencies: [CacheKey]
    }

    public static let fileName = ".plan-state.json"
    public var schema = 1
    public var tasks: [String: Record]

    public init(tasks: [String: Record] = [:]) {
        self.tasks = tasks
    }

    /// The state describing every task of `graph`.
    public init(graph: TaskGraph) {
        var records = [String: Record]()
        for t in graph.tasks.values {
            records[t.id] = Record(key: t.key, kind: t.kind, params: t.params, seed: t.seed,
                                   inputs: t.inputs, version: t.version,
                                   dependencies: t.dependencies.compactMap { graph[$0]?.key }.sorted())
        }
        tasks = records
    }

    /// Reads the state of an output folder; nil when there is none or it is unreadable
    /// (it only explains reasons, so a damaged file just makes every task "new").
    public static func load(from folder: URL) -> PlanState? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(PlanState.self, from: data)
    }

    /// Writes the state into `folder` atomically.
    public func save(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(encoder.encode(self), to: folder.appendingPathComponent(Self.fileName))
    }
}
