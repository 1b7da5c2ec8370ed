import XCTest
import XAITestSupport
@testable import XAIPlanner

final class OutputLockTests: TemporaryDirectoryTestCase {
    func testLockIsExclusiveAndReleased() throws {
        let folder = tmp.appendingPathComponent("Outputs/exp")
        let first = try OutputLock(folder: folder)
        XCTAssertThrowsError(try OutputLock(folder: folder)) { error in
            XCTAssertEqual(error as? PlannerError, .locked(folder: folder.path, pid: getpid()))
            XCTAssertTrue("\(error)".contains("is writing this output folder"), "\(error)")
        }
        first.unlock()
        XCTAssertFalse(first.isHeld)
        let second = try OutputLock(folder: folder)
        XCTAssertTrue(second.isHeld)
    }

    func testStaleLockFileOfADeadRunIsTakenOver() throws {
        let folder = tmp.appendingPathComponent("Outputs/exp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // A killed run leaves its lock file with its pid, but the kernel has dropped its flock.
        try "\(try deadPID())\n".write(to: folder.appendingPathComponent(".lock"), atomically: false, encoding: .utf8)
        let lock = try OutputLock(folder: folder)
        XCTAssertEqual(try String(contentsOf: lock.lockFile, encoding: .utf8), "\(getpid())\n")
    }

    func testLockHeldByAnotherProcess() throws {
        let folder = tmp.appendingPathComponent("Outputs/exp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lockPath = folder.appendingPathComponent(".lock").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/flock") else {
            throw XCTSkip("util-linux flock not installed")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = ["-x", lockPath, "sleep", "1"]
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        // Wait until the child holds it.
        var locked = false
        for _ in 0..<100 {
            do {
                let l = try OutputLock(folder: folder)
                l.unlock()
                Thread.sleep(forTimeInterval: 0.02)
            } catch PlannerError.locked {
                locked = true
                break
            }
        }
        XCTAssertTrue(locked, "the other process's lock was honoured")
    }
}
