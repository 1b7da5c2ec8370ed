import XCTest
import CKernels
import XAICore
@testable import XAIEngine

/// CKernels' AMX expansion (xai_amx_expand) on its own: against the product of the rounded
/// operands in double, and several blocks per call against one block per call, bit for bit
/// (ExpandDepthwise takes up to four blocks at once where it has enough of them).
final class AMXExpandTests: XCTestCase {
    func testBlocksAgainstRoundedProductAndOneBlockAtATime() throws {
        try XCTSkipUnless(Precision.amxAvailable, "this CPU (or this OS) gives no AMX tiles")
        var g = SeededGenerator(seed: 71)
        let rectify = Rectifier16(.clip(min: 0, max: 6))
        var worst = 0.0
        for k in [3, 16, 27, 40, 112, 192] {
            for count in [1, 15, 16, 17, 100] {
                let kpad = xai_amx_kpad(k), blocks = 8
                let x = g.tensor([k, count], scale: 1), w = g.tensor([16 * blocks, k], scale: 0.5)
                let bias = g.tensor([16 * blocks], scale: 0.3)
                var rows = [UInt16](repeating: 0, count: (count + 16) * kpad)
                xai_amx_pack_pixels(x.data, count, k, count, &rows)
                var padded = [Float](repeating: 0, count: 16 * blocks * kpad)
                for i in 0..<(16 * blocks) { for j in 0..<k { padded[i * kpad + j] = w.data[i * k + j] } }
                let filters = BF16Rows(weights: padded, m: 16 * blocks, k: kpad, rowsPerPanel: 16)
                // Reversed (slots are followed), and rows of 20 pixels in cells 22 apart (16
                // neighbours in one row take the kernel's one-address path, the rest not).
                for slots in [(0..<count).map { count - 1 - $0 }, (0..<count).map { $0 / 20 * 22 + $0 % 20 + 1 }] {
                    let cellsPerBlock = slots.max()! + 1
                    func cells(blocksPerCall nb: Int) -> [Float] {
                        var out = [Float](repeating: -1, count: blocks * cellsPerBlock * 16)  // unwritten: below any rectified value
                        for b in stride(from: 0, to: blocks, by: nb) {
                            out.withUnsafeMutableBufferPointer { o in
                                bias.data.withUnsafeBufferPointer { bb in
                                    xai_amx_expand(min(nb, blocks - b), k, rows, count, filters.data + b * filters.panelStride, filters.panelStride,
                                                   bb.baseAddress! + 16 * b, xai_rectifier(rectify), slots,
                                                   o.baseAddress! + b * cellsPerBlock * 16, cellsPerBlock * 16)
                                }
                            }
                        }
                        return out
                    }
                    let one = cells(blocksPerCall: 1)
                    for nb in 2...8 { XCTAssertEqual(cells(blocksPerCall: nb), one, "k \(k), \(count) pixels, \(nb) blocks a call") }
                    for b in 0..<blocks {
                        for i in 0..<count {
                            for c in 0..<16 {
                                let ch = 16 * b + c
                                var s = Double(bias.data[ch]), size = abs(s)
                                for j in 0..<k {
                                    let t = Double(BF16Tests.roundedBF16(w.data[ch * k + j])) * Double(BF16Tests.roundedBF16(x.data[j * count + i]))
                                    s += t
                                    size += abs(t)
                                }
                                let got = Double(one[(b * cellsPerBlock + slots[i]) * 16 + c])
                                worst = max(worst, abs(got - min(6, max(0, s))) / max(1, size))
                            }
                        }
                    }
                }
            }
        }
        print("AMX expansion against the rounded operands' product: max diff relative to the terms' size \(worst)")
        XCTAssertLessThan(worst, 2e-6)
    }
}
