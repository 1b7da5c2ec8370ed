import XCTest
@testable import XAIEngine

/// The malloc settings `xai` re-executes itself with (LoadTimeEnvironment): each tunable once,
/// in glibc's name=value form, huge pages included (they are the one setting with no mallopt,
/// so the re-exec is their only way in).
final class MemoryTuningTests: XCTestCase {
    func testTunablesListEachSettingOnce() throws {
        #if os(Linux)
        let tunables = try XCTUnwrap(MemoryTuning.glibcTunables)
        let pairs = tunables.split(separator: ":").map { $0.split(separator: "=").map(String.init) }
        XCTAssertTrue(pairs.allSatisfy { $0.count == 2 && $0[0].hasPrefix("glibc.malloc.") }, tunables)
        let values = Dictionary(pairs.map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(values.count, pairs.count, "a tunable is listed twice: \(tunables)")
        XCTAssertEqual(values, ["glibc.malloc.arena_max": "1", "glibc.malloc.mmap_max": "0",
                                "glibc.malloc.trim_threshold": "\(Int32.max)", "glibc.malloc.hugetlb": "1"])
        #endif
    }
}
