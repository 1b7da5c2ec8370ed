import XAICore

/// The tasks `--only NAME ...` selects: those whose method instance, method kind, run id,
/// image id, model name or metric equals one of the names. Tasks they depend on (decode,
/// predict) run too when not cached; the executor pulls them in.
///
/// A name that selects nothing is an error rather than an empty run: a typo such as
/// `--only gradcma` used to report "0 ran, 340 cached" and exit 0.
public struct TaskSelection: Sendable {
    /// The task labels a name is matched against.
    static let labelKeys = ["instance", "method", "run", "image", "model", "metric"]

    private let names: Set<String>

    /// Checks that every name selects at least one task of `graph`.
    /// - Throws: `PlannerError.unmatchedSelection` naming the first such name, with the closest
    ///   name the graph does have.
    public init(_ names: [String], in graph: TaskGraph) throws {
        var known = Set<String>()
        for task in graph.tasks.values {
            for key in Self.labelKeys { if let v = task.labels[key] { known.insert(v) } }
        }
        for name in names where !known.contains(name) {
            throw PlannerError.unmatchedSelection(name: name,
                                                  suggestion: EditDistance.suggestion(for: name, among: known.sorted()))
        }
        self.names = Set(names)
    }

    /// Whether `task` is selected.
    public func contains(_ task: TaskSpec) -> Bool {
        Self.labelKeys.contains { task.labels[$0].map(names.contains) ?? false }
    }

    /// The executor's filter for `names`, nil (everything) when there are none.
    static func filter(_ names: [String], in graph: TaskGraph) throws -> ((TaskSpec) -> Bool)? {
        guard !names.isEmpty else { return nil }
        let selection = try TaskSelection(names, in: graph)
        return selection.contains
    }
}
