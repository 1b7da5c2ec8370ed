import Foundation
import GRDB
import XCTest
import XAIManifest
import XAITestSupport
@testable import XAIRuns

/// The run history on a real SQLite file in a temporary Outputs/.
final class RunStoreTests: TemporaryDirectoryTestCase {
    var outputs: URL { tmp.appendingPathComponent("Outputs") }

    /// A manifest of experiment `name` with no results (all runs of one experiment share it here).
    func manifest(_ name: String) throws -> StoredManifest {
        StoredManifest(json: try Manifest(name: name, experiment: .object(["name": .string(name)]), models: [],
                                          images: [], predictions: [], results: [], failures: []).encoded())
    }

    func run(_ id: String, _ experiment: String, git: GitState? = nil, overrides: [String] = [],
             start: Date = Date(timeIntervalSince1970: 1_800_000_000)) throws -> RunRecord {
        return RunRecord(id: id, experiment: experiment, file: "Experiments/\(experiment).yaml", startedAt: start,
                         endedAt: start.addingTimeInterval(2.5), exitStatus: 0, git: git, experimentHash: "e" + id,
                         overrides: overrides, manifestHash: try manifest(experiment).hash, taskCount: 2,
                         cachedCount: 1, failedCount: 0, seconds: 2.5)
    }

    func tasks(_ id: String, keys: [String]) -> [RunTask] {
        keys.enumerated().map { i, k in
            RunTask(runID: id, task: "chelsea/t\(i)", kind: "explain", key: k, outcome: i == 0 ? "cached" : "ran",
                    seconds: Double(i))
        }
    }

    func record(_ store: RunStore, _ id: String, _ experiment: String, git: GitState? = nil, keys: [String] = [],
                start: Date = Date(timeIntervalSince1970: 1_800_000_000)) throws {
        try store.record(NewRun(record: run(id, experiment, git: git, start: start), manifest: manifest(experiment),
                                tasks: tasks(id, keys: keys)))
    }

    func testRoundTripThroughTheDatabaseFile() throws {
        let git = GitState(revision: String(repeating: "ab", count: 20), dirty: true)
        let record = try run("20261204-001523-a3f9", "quick", git: git, overrides: ["gradcam.relu=false", "a=b c"])
        let rows = tasks(record.id, keys: ["k1", "k2"]) + [RunTask(runID: record.id, task: "x/failed", kind: nil,
                                                                  key: nil, outcome: "failed", seconds: 0)]
        try RunStore(outputs: outputs).record(NewRun(record: record, manifest: manifest("quick"), tasks: rows))

        let file = outputs.appendingPathComponent(RunStore.fileName)
        let header = try FileHandle(forReadingFrom: file).read(upToCount: 16)
        XCTAssertEqual(header, Data("SQLite format 3\0".utf8), "a real SQLite database file")
        let reopened = try RunStore(outputs: outputs)
        XCTAssertEqual(try reopened.runs(), [record])
        XCTAssertEqual(try reopened.run(id: record.id), record)
        XCTAssertEqual(try reopened.tasks(of: record.id), rows.sorted { $0.task < $1.task })
        XCTAssertEqual(try reopened.runs(experiment: "other"), [])
        XCTAssertEqual(try reopened.manifest(of: record).name, "quick")
        XCTAssertEqual(record.shortRevision, "ababab" + "a+")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path + "-wal"), "the database is in WAL mode")
    }

    func testPinAndKeysKeptForPinnedAndTheLastRunsOfEachExperiment() throws {
        let store = try RunStore(outputs: outputs)
        try record(store, "20260101-000000-0001", "a", keys: ["old", "shared"])
        try record(store, "20260102-000000-0001", "a", keys: ["mid"])
        try record(store, "20260103-000000-0001", "a", keys: ["new", "shared"])
        try record(store, "20260101-000000-0002", "b", keys: ["b1"])
        XCTAssertEqual(try store.keysToKeep(keepLast: 1), ["new", "shared", "b1"])
        XCTAssertEqual(try store.keysToKeep(keepLast: 2), ["new", "shared", "mid", "b1"])
        XCTAssertEqual(try store.keysToKeep(keepLast: 0), [])

        try store.setPinned(true, id: "20260101-000000-0001")
        XCTAssertEqual(try store.keysToKeep(keepLast: 1), ["old", "shared", "new", "b1"])
        XCTAssertTrue(try XCTUnwrap(store.run(id: "20260101-000000-0001")).pinned)
        try store.setPinned(false, id: "20260101-000000-0001")
        XCTAssertEqual(try store.keysToKeep(keepLast: 0), [])
        XCTAssertThrowsError(try store.setPinned(true, id: "20990101-000000-0000")) { error in
            guard case RunsError.unknownRun = error else { return XCTFail("\(error)") }
        }
    }

    /// `xai gc` keeps the intermediate results used since the oldest run whose entries it keeps.
    func testOldestKeptStartIsThatOfTheOldestKeptRun() throws {
        let store = try RunStore(outputs: outputs)
        func day(_ d: Double) -> Date { Date(timeIntervalSince1970: 1_800_000_000 + d * 86_400) }
        XCTAssertNil(try store.oldestKeptStart(keepLast: 5), "no runs, nothing to go by")
        try record(store, "20260101-000000-0001", "a", start: day(1))
        try record(store, "20260102-000000-0001", "a", start: day(2))
        try record(store, "20260103-000000-0001", "a", start: day(3))
        try record(store, "20260102-120000-0002", "b", start: day(2.5))
        XCTAssertEqual(try store.oldestKeptStart(keepLast: 1), day(2.5))
        XCTAssertEqual(try store.oldestKeptStart(keepLast: 2), day(2))
        XCTAssertNil(try store.oldestKeptStart(keepLast: 0))
        try store.setPinned(true, id: "20260101-000000-0001")
        XCTAssertEqual(try store.oldestKeptStart(keepLast: 0), day(1))
    }

    /// Runs that wrote the same manifest share one copy of it; an altered copy is refused.
    func testManifestsAreStoredOnceAndCheckedAgainstTheirHash() throws {
        let store = try RunStore(outputs: outputs)
        try record(store, "20260101-000000-0001", "a")
        try record(store, "20260102-000000-0001", "a")
        XCTAssertEqual(try store.read { db in try StoredManifest.fetchCount(db) }, 1)
        let record = try XCTUnwrap(store.run(id: "20260101-000000-0001"))
        try store.write("alter") { db in
            try db.execute(sql: "UPDATE manifest SET json = ?", arguments: [Data("{}".utf8)])
        }
        XCTAssertThrowsError(try store.manifest(of: record)) { error in
            guard case RunsError.corruptRecord = error else { return XCTFail("\(error)") }
        }
    }

    /// Two processes' stores on one file (WAL, busy timeout) record side by side; nothing is lost.
    func testConcurrentRecordsFromTwoStoresAreAllKept() throws {
        let stores = [try RunStore(outputs: outputs), try RunStore(outputs: outputs)]
        let failures = NSLock()
        nonisolated(unsafe) var errors = [String]()
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            do {
                try record(stores[i % 2], String(format: "20260101-000000-%04x", i), i % 2 == 0 ? "a" : "b",
                           keys: ["k\(i)"])
            } catch {
                failures.lock()
                errors.append("\(error)")
                failures.unlock()
            }
        }
        XCTAssertEqual(errors, [])
        XCTAssertEqual(try stores[0].runs().count, 40)
        XCTAssertEqual(try stores[1].keysToKeep(keepLast: 100).count, 40)
    }

    func testReferencesByIDPrefixNameAndGitRevision() throws {
        let store = try RunStore(outputs: outputs)
        let rev1 = "1111111" + String(repeating: "0", count: 33), rev2 = "2222222" + String(repeating: "0", count: 33)
        try record(store, "20260101-000000-0001", "a", git: GitState(revision: rev1, dirty: false))
        try record(store, "20260102-000000-0001", "a", git: GitState(revision: rev2, dirty: false))
        try record(store, "20260102-000000-0002", "b")
        XCTAssertEqual(try store.resolve("20260101-000000-0001").id, "20260101-000000-0001")
        XCTAssertEqual(try store.resolve("20260101").id, "20260101-000000-0001", "an unambiguous prefix")
        XCTAssertEqual(try store.resolve("a").id, "20260102-000000-0001", "a name: its newest run")
        XCTAssertEqual(try store.resolve("a@1111111").id, "20260101-000000-0001")
        XCTAssertEqual(try store.resolve("a@\(rev2)").id, "20260102-000000-0001")
        XCTAssertThrowsError(try store.resolve("20260102")) { error in
            XCTAssertEqual(error as? RunsError, .ambiguousRun(reference: "20260102",
                                                              candidates: ["20260102-000000-0002", "20260102-000000-0001"]))
        }
        for missing in ["c", "a@3333333", "b@1111111", "a@"] {
            XCTAssertThrowsError(try store.resolve(missing), missing) { error in
                guard case RunsError.unknownRun = error else { return XCTFail("\(missing): \(error)") }
            }
        }
    }

    func testRunIDsSortByTimeAndAreWellFormed() {
        let a = RunID.make(at: Date(timeIntervalSince1970: 1_800_000_000), random: 0xbeef)
        XCTAssertEqual(a, "20270115-080000-002f", "millisecond 0, random bits 0x2f")
        // Within one second, later is greater whatever the random bits.
        XCTAssertLessThan(RunID.make(at: Date(timeIntervalSince1970: 1_800_000_000.25), random: 0x3f),
                          RunID.make(at: Date(timeIntervalSince1970: 1_800_000_000.5), random: 0))
        XCTAssertEqual(RunID.make(at: Date(timeIntervalSince1970: 1_800_000_000.9995), random: 0), "20270115-080000-f9c0")
        XCTAssertTrue(RunID.isWellFormed(a))
        XCTAssertLessThan(a, RunID.make(at: Date(timeIntervalSince1970: 1_800_000_001), random: 0))
        for bad in ["", "../x", "20270115-080000-BEEF", "20270115-0800-beef", "2027011a-080000-beef"] {
            XCTAssertFalse(RunID.isWellFormed(bad), bad)
        }
    }

    /// Outside a repository there is no state; inside one, HEAD and the dirty flag.
    func testGitProbe() throws {
        XCTAssertNil(GitState.probe(in: tmp))
        guard GitState.git(["--version"], in: tmp) != nil else { throw XCTSkip("git is not installed") }
        let repo = tmp.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try Data("a".utf8).write(to: repo.appendingPathComponent("tracked.txt"))
        for args in [["init", "-q"], ["add", "tracked.txt"],
                     ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x"]] {
            XCTAssertNotNil(GitState.git(args, in: repo), args.joined(separator: " "))
        }
        let clean = try XCTUnwrap(GitState.probe(in: repo))
        XCTAssertFalse(clean.dirty)
        XCTAssertEqual(GitState.resolve("HEAD", in: repo), clean.revision)
        XCTAssertNil(GitState.resolve("--help", in: repo), "a revision is never read as an option")
        try Data("x".utf8).write(to: repo.appendingPathComponent("untracked.txt"))
        XCTAssertEqual(GitState.probe(in: repo), clean, "untracked files do not make the work tree dirty")
        try Data("b".utf8).write(to: repo.appendingPathComponent("tracked.txt"))
        XCTAssertEqual(GitState.probe(in: repo), GitState(revision: clean.revision, dirty: true))
    }
}
