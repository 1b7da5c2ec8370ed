import XCTest
import XAICore
@testable import XAIEngine

/// The float32 expansion kernels (ExpandDepthwise+Pixels.swift) against one chain per output,
/// bias first and then the k terms in order: the 12- and 16-pixel tiles and the four- and
/// one-pixel tails give every output those bits, for one block and for two.
final class ExpandPixelsTests: XCTestCase {
    func testEveryGroupingSumsInOneOrder() {
        var g = SeededGenerator(seed: 81)
        let L = ConvPlan.laneCount
        for k in [3, 24, 80] {
            let filters = g.tensor([2, k, L], scale: 0.5), bias = g.tensor([2, L], scale: 0.3)
            for count in [1, 3, 4, 5, 12, 13, 16, 17, 28, 49] {
                let ldx = count + 2
                let x = g.tensor([k, ldx], scale: 1)
                // One chain per pixel and block: bias, then k multiply-adds in order.
                var expected = [SIMD16<Float>](repeating: .zero, count: 2 * count)
                for b in 0..<2 {
                    for p in 0..<count {
                        var acc = SIMD16<Float>((0..<L).map { bias.data[b * L + $0] })
                        for j in 0..<k {
                            madd(&acc, SIMD16<Float>((0..<L).map { filters.data[(b * k + j) * L + $0] }), SIMD16(repeating: x.data[j * ldx + p]))
                        }
                        expected[b * count + p] = acc
                    }
                }
                let slots = Array(0..<count)
                for pairs in [false, true] {
                    var cells = [SIMD16<Float>](repeating: SIMD16(repeating: .nan), count: 2 * count)
                    x.data.withUnsafeBufferPointer { xb in
                        filters.data.withUnsafeBufferPointer { fb in
                            bias.data.withUnsafeBufferPointer { bb in
                                cells.withUnsafeMutableBufferPointer { cb in
                                    let (xp, fp, bp, out) = (xb.baseAddress!, fb.baseAddress!, bb.baseAddress!, cb.baseAddress!)
                                    if pairs {
                                        ExpandDepthwise.expandPixelPairs(xp, count: count, k: k, ldx: ldx, prefetch: 0, filters: fp, bias: bp,
                                                                         Rectifier16(nil), slots: slots, into: out, next: count)
                                    } else {
                                        for b in 0..<2 {
                                            ExpandDepthwise.expandPixels(xp, count: count, k: k, ldx: ldx, prefetch: 0, filters: fp + b * k * L,
                                                                         bias: bp + b * L, Rectifier16(nil), slots: slots, into: out + b * count)
                                        }
                                    }
                                }
                            }
                        }
                    }
                    let differing = zip(cells, expected).filter { a, e in (0..<L).contains { a[$0].bitPattern != e[$0].bitPattern } }.count
                    print("expansion k \(k), \(count) pixels, \(pairs ? "two blocks at once" : "one block at a time"): \(differing) of \(2 * count) cells differ from one chain each")
                    XCTAssertEqual(differing, 0)
                }
            }
        }
    }
}
