import XCTest
import XAITestSupport
@testable import XAIPlanner

/// Records what ran and how many engine tasks overlapped.
final class Recorder: @unchecked Sendable {
    let lock = NSLock()
    var ran = [String]()
    var engineNow = 0, engineMax = 0, allNow = 0, allMax = 0

    func begin(_ t: TaskSpec) {
        lock.lock(); defer { lock.unlock() }
        ran.append(t.id)
        allNow += 1; allMax = max(allMax, allNow)
        if t.resource == .engine { engineNow += 1; engineMax = max(engineMax, engineNow) }
    }

    func end(_ t: TaskSpec) {
        lock.lock(); defer { lock.unlock() }
        allNow -= 1
        if t.resource == .engine { engineNow -= 1 }
    }
}

final class ExecutorTests: TemporaryDirectoryTestCase {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "NaN in attribution" }
    }

    /// Each task writes `out.txt`: its id plus the contents of its dependencies' outputs.
    func perform(_ rec: Recorder, failing: Set<String> = [], sleep: Double = 0.01) -> Executor.Perform {
        { ctx in
            rec.begin(ctx.task)
            defer { rec.end(ctx.task) }
            Thread.sleep(forTimeInterval: sleep)
            if failing.contains(ctx.task.id) {
                try Data("partial".utf8).write(to: ctx.outputDirectory.appendingPathComponent("out.txt"))
                throw Boom()
            }
            var text = ctx.task.id
            for d in ctx.task.dependencies {
                text += "|" + String(decoding: try ctx.dependency(d).data("out.txt"), as: UTF8.self)
            }
            try Data(text.utf8).write(to: ctx.outputDirectory.appendingPathComponent("out.txt"))
            ctx.progress(1)
            return ["length": "\(text.count)"] as [String: String]
        }
    }

    func testRunsEverythingThenNothing() throws {
        let store = try CacheStore(outputs: tmp)
        let g = try sampleGraph(occlusionWindows: [8, 16])
        let rec = Recorder()
        let report = Executor(cache: store, options: ExecutorOptions(jobs: 2)).run(g, perform: perform(rec))
        XCTAssertTrue(report.succeeded)
        XCTAssertEqual(report.summary["ran"]?.count, 10)
        XCTAssertEqual(rec.engineMax, 1, "engine tasks never overlap")
        let e = try XCTUnwrap(report.outcomes["coffee/gradcam"]?.entry)
        XCTAssertEqual(String(decoding: try e.data("out.txt"), as: UTF8.self),
                       "coffee/gradcam|coffee/decode|coffee/predict|coffee/decode")
        XCTAssertEqual(e.meta.info?["length"], .string("\(try e.data("out.txt").count)"))
        XCTAssertGreaterThan(e.meta.seconds, 0)

        let rec2 = Recorder()
        let again = Executor(cache: store).run(g, perform: perform(rec2))
        XCTAssertEqual(rec2.ran, [])
        XCTAssertEqual(again.summary["cached"]?.count, 10)
    }

    func testLightTasksRunBesideEngineTasks() throws {
        var g = TaskGraph()
        for i in 0..<4 { try g.add(id: "e\(i)", kind: .explain, params: ["i": "\(i)"], resource: .engine) }
        for i in 0..<4 { try g.add(id: "r\(i)", kind: .render, params: ["i": "\(i)"], resource: .light) }
        let rec = Recorder()
        let report = Executor(cache: try CacheStore(outputs: tmp), options: ExecutorOptions(jobs: 2))
            .run(g, perform: perform(rec, sleep: 0.05))
        XCTAssertTrue(report.succeeded)
        XCTAssertEqual(rec.engineMax, 1)
        XCTAssertEqual(rec.allMax, 2, "two workers were busy at once")
    }

    /// `xai run --engine-tasks 2`: two engine tasks may overlap, never three.
    func testEngineLimitOfTwoLetsTwoEngineTasksOverlap() throws {
        var g = TaskGraph()
        for i in 0..<6 { try g.add(id: "e\(i)", kind: .explain, params: ["i": "\(i)"], resource: .engine) }
        let rec = Recorder()
        let report = Executor(cache: try CacheStore(outputs: tmp),
                              options: ExecutorOptions(jobs: 3, resourceLimits: [.engine: 2]))
            .run(g, perform: perform(rec, sleep: 0.05))
        XCTAssertTrue(report.succeeded)
        XCTAssertEqual(rec.engineMax, 2)
    }

    func testKeepGoingFinishesIndependentTasksAndSkipsDependents() throws {
        let store = try CacheStore(outputs: tmp)
        let g = try sampleGraph(occlusionWindows: [8])
        let rec = Recorder()
        let report = Executor(cache: store, options: ExecutorOptions(jobs: 2, keepGoing: true))
            .run(g, perform: perform(rec, failing: ["chelsea/predict"]))
        XCTAssertFalse(report.succeeded)
        XCTAssertEqual(report.failures.map(\.id), ["chelsea/predict"])
        XCTAssertEqual(report.failures.first?.message, "NaN in attribution")
        let s = report.summary
        XCTAssertEqual(s["skipped"], ["chelsea/gradcam", "chelsea/occlusion@stride=8,window=8"])
        XCTAssertEqual(s["ran"], ["chelsea/decode", "coffee/decode", "coffee/gradcam",
                                  "coffee/occlusion@stride=8,window=8", "coffee/predict"])
        XCTAssertNil(store.lookup(g["chelsea/predict"]!.key), "a failed task commits nothing")
        if case let .skipped(dep) = report.outcomes["chelsea/gradcam"]! { XCTAssertEqual(dep, "chelsea/predict") }
    }

    func testWithoutKeepGoingNoNewTaskStartsAfterAFailure() throws {
        let g = try sampleGraph(occlusionWindows: [8])
        let rec = Recorder()
        let report = Executor(cache: try CacheStore(outputs: tmp), options: ExecutorOptions(jobs: 1))
            .run(g, perform: perform(rec, failing: ["chelsea/decode"]))
        XCTAssertEqual(rec.ran, ["chelsea/decode"])
        XCTAssertEqual(report.summary["cancelled"]?.count, 7)
        XCTAssertFalse(report.succeeded)
    }

    func testResumeAfterACrashLosesNothing() throws {
        let store = try CacheStore(outputs: tmp)
        let g = try sampleGraph(occlusionWindows: [8, 16])
        // First run "dies" at coffee/gradcam: finished tasks are committed, the failing one left only staging files.
        let rec = Recorder()
        _ = Executor(cache: store, options: ExecutorOptions(jobs: 1))
            .run(g, perform: perform(rec, failing: ["coffee/gradcam"]))
        let committedFirst = Set(store.allKeys())
        XCTAssertEqual(committedFirst.count, rec.ran.count - 1)
        // A killed process also leaves a staging folder behind.
        let dead = try deadPID()
        try FileManager.default.createDirectory(
            at: store.temporaryRoot.appendingPathComponent("\(g["coffee/gradcam"]!.key.hex)-\(dead)-1"),
            withIntermediateDirectories: true)

        let rec2 = Recorder()
        let report = Executor(cache: store).run(g, perform: perform(rec2))
        XCTAssertTrue(report.succeeded)
        XCTAssertEqual(Set(rec2.ran), Set(g.tasks.keys).subtracting(rec.ran.filter { $0 != "coffee/gradcam" }))
        XCTAssertEqual(Set(store.allKeys()), g.keys)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.temporaryRoot.path), [],
                       "leftovers of the dead run were cleaned up")
        for t in g.tasks.values {
            let text = String(decoding: try store.lookup(t.key)!.data("out.txt"), as: UTF8.self)
            XCTAssertTrue(text.hasPrefix(t.id), "no partial outputs: \(text)")
        }
    }

    func testForceAndOnly() throws {
        let store = try CacheStore(outputs: tmp)
        let g = try sampleGraph(occlusionWindows: [8])
        _ = Executor(cache: store).run(g, only: { $0.labels["method"] == "gradcam" }, perform: perform(Recorder()))
        XCTAssertNil(store.lookup(g["chelsea/occlusion@stride=8,window=8"]!.key))
        XCTAssertNotNil(store.lookup(g["chelsea/gradcam"]!.key))

        let rec = Recorder()
        let report = Executor(cache: store, options: ExecutorOptions(force: true))
            .run(g, only: { $0.labels["method"] == "gradcam" }, perform: perform(rec))
        XCTAssertEqual(rec.ran.sorted(), ["chelsea/gradcam", "coffee/gradcam"])
        XCTAssertEqual(report.summary["filtered"]?.count, 2)
        XCTAssertTrue(report.succeeded)
    }

    func testPlainProgressHasOneLinePerTaskAndNoEscapeCodes() throws {
        let lines = LineSink()
        let progress = ConsoleProgress(interactive: false, write: lines.append)
        let g = try sampleGraph(occlusionWindows: [])
        _ = Executor(cache: try CacheStore(outputs: tmp), options: ExecutorOptions(keepGoing: true), progress: progress)
            .run(g, perform: perform(Recorder(), failing: ["coffee/gradcam"]))
        let text = lines.text
        XCTAssertFalse(text.contains("\u{1B}"))
        XCTAssertTrue(text.hasPrefix("6 tasks: 0 cached, 6 to run\n"), text)
        XCTAssertEqual(text.components(separatedBy: "\n").filter { $0.hasPrefix("[") }.count, 6)
        XCTAssertTrue(text.contains("FAILED coffee/gradcam: NaN in attribution"), text)
        XCTAssertTrue(text.contains("5 ran, 0 cached, 1 failed"), text)
    }

    func testInteractiveProgressDrawsABar() throws {
        let lines = LineSink()
        let progress = ConsoleProgress(interactive: true, write: lines.append)
        _ = Executor(cache: try CacheStore(outputs: tmp), progress: progress)
            .run(try sampleGraph(occlusionWindows: []), perform: perform(Recorder()))
        XCTAssertTrue(lines.text.contains("\r\u{1B}[2K["))
        XCTAssertTrue(lines.text.contains("ETA"))
        XCTAssertEqual(ConsoleProgress.formatSeconds(125), "2m05s")
    }
}

final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var parts = [String]()
    func append(_ s: String) { lock.lock(); parts.append(s); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return parts.joined() }
}
