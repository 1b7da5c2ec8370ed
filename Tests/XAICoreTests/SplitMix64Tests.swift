import XCTest
import XAICore

final class SplitMix64Tests: XCTestCase {
    /// The first outputs of the reference implementation (Vigna's splitmix64.c) for two seeds.
    func testMatchesTheReferenceSequence() {
        var a = SplitMix64(seed: 0)
        XCTAssertEqual([a.next(), a.next(), a.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var b = SplitMix64(seed: 1_234_567)
        XCTAssertEqual([b.next(), b.next(), b.next()], [0x599E_D017_FB08_FC85, 0x2C73_F084_5854_0FA5, 0x883E_BCE5_A3F2_7C77])
    }

    func testDerivedValues() {
        var a = SplitMix64(seed: 0), b = SplitMix64(seed: 0)
        XCTAssertEqual(a.nextDouble(), Double(b.next() >> 11) / 9_007_199_254_740_992)
        var r = SplitMix64(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<200 {
            let i = r.index(below: 7)
            XCTAssertTrue((0..<7).contains(i))
            seen.insert(i)
        }
        XCTAssertEqual(seen.count, 7)
        // FNV-1a test vectors.
        XCTAssertEqual(SplitMix64.hash(""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(SplitMix64.hash("a"), 0xAF63_DC4C_8601_EC8C)
    }
}
