import GRDB

extension RunStore {
    /// Which recorded run used a cache entry last.
    public struct Owner: Equatable, Sendable {
        public var experiment: String
        public var run: String
        public var task: String
    }

    /// For each of `keys` that a recorded run used, the newest such run's experiment, id and
    /// task, so that `xai gc` can say what it removes in the user's terms.
    public func owners(of keys: Set<String>) throws -> [String: Owner] {
        guard !keys.isEmpty else { return [:] }
        return try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT run_task.key AS key, run.experiment AS experiment, run.id AS run, run_task.task AS task
                FROM run_task JOIN run ON run.id = run_task.runID
                WHERE run_task.key IS NOT NULL ORDER BY run.id DESC, run_task.task
                """)
            var out: [String: Owner] = [:]
            while let row = try rows.next() {
                let key: String = row["key"]
                guard keys.contains(key), out[key] == nil else { continue }
                out[key] = Owner(experiment: row["experiment"], run: row["run"], task: row["task"])
            }
            return out
        }
    }
}
