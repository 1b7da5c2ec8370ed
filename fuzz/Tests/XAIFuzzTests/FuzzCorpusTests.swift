import Foundation
import XCTest
import XAICore
import XAIFuzzEntries

/// The fuzzing entry points in the ordinary test run (no sanitizers): every input in
/// fuzz/Corpus/ (seeds and the inputs fuzzing once crashed on, `regression-*`) replays through
/// the same `FuzzHarness.run` the libFuzzer binaries call, then seeded mutations of the seeds.
final class FuzzCorpusTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var harness: FuzzHarness!

    override func setUpWithError() throws {
        harness = try FuzzHarness(baseDirectory: Self.repositoryRoot.path)
    }

    override func tearDown() {
        harness.close()
    }

    static func corpus(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let dir = repositoryRoot.appendingPathComponent(target.corpusDirectory)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map {
            ($0, [UInt8](try Data(contentsOf: dir.appendingPathComponent($0))))
        }
    }

    /// Seeds are valid inputs of their format; regression inputs must be refused or read without
    /// breaking a promise.
    func testCorpusReplaysThroughTheEntryPoints() throws {
        for target in FuzzTarget.allCases {
            let inputs = try Self.corpus(target)
            XCTAssertGreaterThanOrEqual(inputs.filter { !$0.name.hasPrefix("regression-") }.count, 3, "\(target) seeds")
            for (name, bytes) in inputs {
                let outcome = try harness.run(target, bytes)
                if !name.hasPrefix("regression-") {
                    XCTAssertEqual(outcome, .accepted, "\(target.rawValue)/\(name): \(harness.lastRejection ?? "")")
                }
            }
        }
    }

    /// A few hundred byte-level mutants per target (what a fuzz run starts from) through the
    /// same entry point: each must be accepted, rejected with the module's error or skipped.
    func testSeededMutantsKeepThePromises() throws {
        var rng = SplitMix64(seed: 0xF022)
        for target in FuzzTarget.allCases {
            let seeds = try Self.corpus(target).map(\.bytes)
            var outcomes: [FuzzOutcome: Int] = [:]
            for i in 0..<300 {
                let mutant = Self.mutate(seeds[i % seeds.count], &rng)
                outcomes[try harness.run(target, mutant), default: 0] += 1
            }
            print("fuzz \(target.rawValue): \(outcomes)")
            XCTAssertGreaterThan(outcomes[.rejected, default: 0], 0, "\(target): no mutant was refused")
        }
    }

    /// Bit flips, extreme bytes, truncation, and duplicated or deleted spans.
    static func mutate(_ seed: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = seed
        guard !b.isEmpty else { return [UInt8(truncatingIfNeeded: rng.next())] }
        let i = Int(rng.next() % UInt64(b.count))
        switch rng.next() % 4 {
        case 0: b[i] ^= UInt8(1 << (rng.next() % 8))
        case 1: b[i] = [0x00, 0xFF, 0x7F, 0x80, 0x3A, 0x0A][Int(rng.next() % 6)]
        case 2: b.removeSubrange(i...)
        default:
            let n = min(Int(rng.next() % 64), b.count - i)
            if rng.next() % 2 == 0 { b.insert(contentsOf: b[i..<(i + n)], at: i) } else { b.removeSubrange(i..<(i + n)) }
        }
        return b
    }
}
