import Foundation
import XCTest
@testable import XAIPlanner

/// A fresh temporary folder per test, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("xai-planner-tests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }
}

/// Bytes from a hex string (fixtures generated once with numpy).
func bytes(hex: String) -> Data {
    var out = Data()
    var it = hex.unicodeScalars.makeIterator()
    while let a = it.next(), let b = it.next() {
        out.append(UInt8(String(a) + String(b), radix: 16)!)
    }
    return out
}

/// The pid of a process that has already exited (for stale-leftover tests).
func deadPID() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
}
