import XCTest
import XAICore
import XAIMethods
@testable import XAIMetrics

final class AttributionMapTests: XCTestCase {
    /// The removal order is the definition's: values descending, ties by the seeded random key,
    /// then by index (what the stable sort of indices gave), on a map with plateaus, signed
    /// zeros and a few exact duplicates; and the time of each at 224 x 224.
    func testDescendingOrderEqualsTheDefinition() {
        let (w, h) = (224, 224)
        var rng = SeededRandom(seed: 5)
        let values: [Float] = (0..<(w * h)).map { i in
            switch i % 7 {
            case 0: return 0.25                        // a plateau over a seventh of the pixels
            case 1: return i % 2 == 0 ? Float(0) : -Float(0)  // zeros of both signs tie
            default: return Float(rng.int(below: 1000)) / 100  // many exact duplicates
            }
        }
        let map = AttributionMap(values: values, width: w, height: h)
        for seed: UInt64 in [0, 17] {
            var t = Date()
            let order = map.descendingOrder(seed: seed)
            let fast = Date().timeIntervalSince(t)
            t = Date()
            var keys = SeededRandom(seed: seed, stream: AttributionMap.tieStream)
            let key = (0..<values.count).map { _ in keys.next() }
            let expected = (0..<values.count).sorted { (a: Int, b: Int) -> Bool in
                if values[a] != values[b] { return values[a] > values[b] }
                return key[a] < key[b]
            }
            let reference = Date().timeIntervalSince(t)
            print(String(format: "descendingOrder at 224 x 224: %.2f ms, sorting indices through a closure %.2f ms", fast * 1000, reference * 1000))
            XCTAssertEqual(order, expected)
        }
    }
}
