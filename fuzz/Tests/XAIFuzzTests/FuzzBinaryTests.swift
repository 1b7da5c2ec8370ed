import Foundation
import XCTest
import XAIFuzzEntries

/// The libFuzzer binaries themselves, when `make fuzz` (or `swift build` in fuzz/) has built them:
/// a short run of each over a scratch copy of its corpus, with the limits `make fuzz` uses.
final class FuzzBinaryTests: XCTestCase {
    func testEachBuiltFuzzerRunsCleanly() throws {
        let root = FuzzCorpusTests.repositoryRoot
        let built = FuzzTarget.allCases.filter {
            FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("fuzz/.build/release/xai-fuzz-\($0.rawValue)").path)
        }
        guard !built.isEmpty else {
            throw XCTSkip("no fuzz binaries under fuzz/.build/release (make fuzz builds them)")
        }
        for target in built {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("xai-fuzz-corpus-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let process = Process()
            process.executableURL = root.appendingPathComponent("fuzz/.build/release/xai-fuzz-\(target.rawValue)")
            process.currentDirectoryURL = root
            process.arguments = ["-runs=3000", "-seed=1", "-rss_limit_mb=1024", "-timeout=10", "-artifact_prefix=\(scratch.path)/",
                                 scratch.path, target.corpusDirectory]
            let log = Pipe()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(target.rawValue):\n\(output.suffix(4000))")
            XCTAssertTrue(output.contains("Done 3000 runs"), "\(target.rawValue) did not finish its runs:\n\(output.suffix(2000))")
        }
    }
}
