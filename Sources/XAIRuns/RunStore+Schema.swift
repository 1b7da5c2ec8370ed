import GRDB

extension RunStore {
    /// The schema, one migration per change; GRDB records which ran, so an older database is
    /// brought up to date on open and a newer one is refused rather than misread.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: runs, their tasks and manifests") { db in
            try db.create(table: StoredManifest.databaseTableName) { t in
                t.primaryKey("hash", .text)
                t.column("json", .blob).notNull()
            }
            try db.create(table: RunRecord.databaseTableName) { t in
                t.primaryKey("id", .text)
                t.column("experiment", .text).notNull().indexed()
                t.column("file", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime).notNull()
                t.column("exitStatus", .integer).notNull()
                t.column("gitRevision", .text)
                t.column("gitDirty", .boolean)
                t.column("experimentHash", .text).notNull()
                t.column("overrides", .text).notNull()
                t.column("manifestHash", .text).notNull().references(StoredManifest.databaseTableName)
                t.column("taskCount", .integer).notNull()
                t.column("cachedCount", .integer).notNull()
                t.column("failedCount", .integer).notNull()
                t.column("seconds", .double).notNull()
                t.column("pinned", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: RunTask.databaseTableName) { t in
                t.column("runID", .text).notNull().references(RunRecord.databaseTableName, onDelete: .cascade)
                t.column("task", .text).notNull()
                t.column("kind", .text)
                t.column("key", .text).indexed()
                t.column("outcome", .text).notNull()
                t.column("seconds", .double).notNull()
                t.primaryKey(["runID", "task"])
            }
        }
        return m
    }
}
