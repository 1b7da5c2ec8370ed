import Foundation

/// The kinds of tasks an experiment expands into, in pipeline order. (The gallery is no task: it
/// is written from the manifest after the run.)
public enum TaskKind: String, Codable, CaseIterable, Comparable, Sendable {
    case decode, predict, explain, metric, render

    public static func < (a: TaskKind, b: TaskKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How a task uses the machine. The engine already spreads one forward pass over every core (its
/// own parallel loops, with OpenBLAS kept single-threaded), so by default the executor runs at
/// most one `.engine` task at a time while `.light` tasks (decoding, rendering, writing files)
/// fill the other worker; `xai run` allows two where the machine has two cores or more, which
/// fill each other's serial parts (`--engine-tasks N` sets the limit).
public enum ResourceClass: String, Codable, Sendable {
    case light, engine
}

/// One task of a plan: what it computes from what, and its cache key.
public struct TaskSpec: Sendable, Equatable {
    /// Readable, deterministic id, e.g. `chelsea/occlusion@stride=8,window=16`.
    public let id: String
    public let kind: TaskKind
    /// Fully resolved parameters (defaults included).
    public let params: [String: String]
    /// Seed of the task's random steps; nil when it has none.
    public let seed: UInt64?
    /// Content hashes of the files it reads, by role ("image", "model").
    public let inputs: [String: String]
    /// Ids of the tasks whose outputs it reads.
    public let dependencies: [String]
    /// Implementation version of the code computing it (bumped when its output would change).
    public let version: Int
    public let resource: ResourceClass
    /// Descriptive fields for filtering and messages (image, model, method, instance); not hashed.
    public let labels: [String: String]
    /// The content address of its results.
    public let key: CacheKey

    /// `key=value,...` of `params`, sorted.
    public var canonicalParams: String { Params.canonical(params) }
}
