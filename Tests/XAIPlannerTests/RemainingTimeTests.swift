import XCTest
@testable import XAIPlanner

/// The progress bar's time left: cost-weighted and corrected by measured durations, with exact
/// answers on hand-made plans.
final class RemainingTimeTests: XCTestCase {
    /// One LIME explanation (100 units) and ten overlays (1 unit each) of other images.
    private func plan() throws -> (tasks: [TaskSpec], costs: TaskCost) {
        var g = TaskGraph()
        try g.add(id: "a/lime", kind: .explain, params: ["samples": "1000"], labels: ["image": "a", "method": "lime"])
        for i in 0..<10 {
            try g.add(id: "i\(i)/gradcam/overlay", kind: .render, params: ["colormap": "jet"],
                      inputs: ["image": "hash-of-i\(i)"], labels: ["image": "i\(i)", "method": "gradcam"])
        }
        let costs = TaskCost(units: Dictionary(uniqueKeysWithValues: g.tasks.keys.map { ($0, $0.hasSuffix("lime") ? 100 : 1) }))
        return (g.topologicalOrder(), costs)
    }

    /// The issue's case: counting tasks, one 20 s task done of eleven promises 200 s more; by cost
    /// the ten 1-unit overlays at the measured 0.2 s per unit take 2 s.
    func testAnExpensiveFirstTaskDoesNotInflateTheEstimate() throws {
        let (tasks, costs) = try plan()
        var r = RemainingTime(tasks: tasks, costs: costs)
        XCTAssertNil(r.secondsLeft(elapsed: 5), "nothing measured yet")
        XCTAssertNil(r.fractionDone())
        r.finished("a/lime", seconds: 20)
        XCTAssertEqual(try XCTUnwrap(r.secondsLeft(elapsed: 20)), 2, accuracy: 1e-9)
        // One task of eleven, but 20 of the 22 expected seconds.
        XCTAssertEqual(try XCTUnwrap(r.fractionDone()), 20.0 / 22, accuracy: 1e-12)
    }

    /// Once a task of a class has finished, its class's mean replaces the unit estimate; a
    /// running task counts its fraction done.
    func testMeasuredClassesCorrectTheEstimate() throws {
        let (tasks, costs) = try plan()
        var r = RemainingTime(tasks: tasks, costs: costs)
        r.finished("a/lime", seconds: 20)
        r.finished("i0/gradcam/overlay", seconds: 1)  // overlays are slower than the units said
        // 9 overlays left at 1 s each; done: 21 s measured. Elapsed 21 s with one worker -> 9 s.
        XCTAssertEqual(try XCTUnwrap(r.secondsLeft(elapsed: 21)), 9, accuracy: 1e-9)
        r.progress("i1/gradcam/overlay", fraction: 0.5)
        // left 8.5, done 21.5, elapsed 21.5 -> 8.5.
        XCTAssertEqual(try XCTUnwrap(r.secondsLeft(elapsed: 21.5)), 8.5, accuracy: 1e-9)
        // Two workers: the same work in half the wall time halves the time left.
        XCTAssertEqual(try XCTUnwrap(r.secondsLeft(elapsed: 10.75)), 4.25, accuracy: 1e-9)
    }

    func testFailedTasksLeaveThePlanWithoutTeachingTheirClass() throws {
        let (tasks, costs) = try plan()
        var r = RemainingTime(tasks: tasks, costs: costs)
        r.finished("a/lime", seconds: nil)
        XCTAssertNil(r.secondsLeft(elapsed: 3))
        r.finished("i0/gradcam/overlay", seconds: 0.5)
        XCTAssertEqual(try XCTUnwrap(r.secondsLeft(elapsed: 0.5)), 4.5, accuracy: 1e-9)
    }

    /// The terminal bar shows the cost-weighted estimate and fills by expected time, not by task
    /// count (a fixed clock makes it exact).
    func testConsoleBarShowsTheCostWeightedTimeLeft() throws {
        let (tasks, costs) = try plan()
        var text = ""
        var clock = Date(timeIntervalSince1970: 0)
        let progress = ConsoleProgress(interactive: true, write: { text += $0 }, now: { clock })
        progress.started(total: 11, cached: 0, toRun: 11)
        progress.scheduled(tasks, costs: costs)
        progress.taskStarted(tasks.first { $0.id == "a/lime" }!)
        clock = Date(timeIntervalSince1970: 20)
        text = ""
        let lime = try XCTUnwrap(tasks.first { $0.id == "a/lime" })
        let entry = CachedEntry(key: lime.key, directory: URL(fileURLWithPath: "/nonexistent"),
                                meta: CacheEntryMeta(key: lime.key, kind: "explain", task: lime.id, params: lime.params))
        progress.taskFinished(lime, outcome: .ran(entry, seconds: 20), finished: 1)
        XCTAssertTrue(text.contains("1/11  ETA 2.00 s"), text)
        // 20 of 22 expected seconds: 21 of the 24 cells (a task count would fill 2).
        XCTAssertTrue(text.contains("[" + String(repeating: "#", count: 21) + "---]"), text)
    }
}
