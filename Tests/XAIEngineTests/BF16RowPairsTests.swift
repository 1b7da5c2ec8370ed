import Foundation
import XCTest
import CKernels
@testable import XAIEngine

/// The bf16 expansion two rows at a time (xai_bf16_expand_row_pairs), which stores whole cells
/// of the depthwise kernel's pair-row block, and the split of a chunk of pixels into such runs
/// (DepthwisePairRows.forEachRun).
final class BF16RowPairsTests: XCTestCase {
    /// Both rows' halves against the direct product in double (bf16 operands: exact products),
    /// rounded to bf16, for tails of every length (1-3 columns row by row, 4-7 both rows
    /// together); the whole-tile columns equal xai_bf16_expand_pairs's halves bit for bit.
    func testRowPairsAgainstDirectProduct() throws {
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
        var g = SeededGenerator(seed: 73)
        let activations: [FusedActivation?] = [nil, .clip(min: 0, max: 0.5), .leakyRelu(alpha: 0.1)]
        var worst = 0.0, tileDiffs = 0
        for k2 in [1, 3, 8, 13] {
            for count in [1, 3, 4, 6, 7, 8, 9, 13, 16, 21] {
                let w = count + 5, ldx = 2 * w + 1
                let x = BF16TailTests.bf16Values(k2 * ldx * 2, &g), f = BF16TailTests.bf16Values(k2 * 32, &g)
                let bias = (0..<16).map { _ in Float.random(in: -0.5...0.5, using: &g) }
                // Upper row's pixel i in cell count - 1 - i (reversed, so a misplaced cell shows).
                let slots = (0..<count).map { 32 * (count - 1 - $0) }
                let lower = slots.map { $0 + 1 }
                for act in activations {
                    let r = xai_rectifier(Rectifier16(act))
                    var pairs = [UInt16](repeating: 0xffff, count: 32 * count)
                    var halves = [UInt16](repeating: 0xffff, count: 32 * count)
                    xai_bf16_expand_row_pairs(k2, x, ldx, w, count, f, bias, r, slots, &pairs)
                    xai_bf16_expand_pairs(k2, x, ldx, count, f, bias, r, slots, &halves)
                    x.withUnsafeBufferPointer { xb in
                        xai_bf16_expand_pairs(k2, xb.baseAddress! + 2 * w, ldx, count, f, bias, r, lower, &halves)
                    }
                    for i in 0..<count {
                        for (row, slot) in [(0, slots[i]), (1, lower[i])] {
                            for c in 0..<16 {
                                var s = Double(bias[c])
                                for p in 0..<k2 {
                                    for h in 0..<2 {
                                        s += Double(xai_bf16_to_float(f[(p * 16 + c) * 2 + h]))
                                            * Double(xai_bf16_to_float(x[(p * ldx + row * w + i) * 2 + h]))
                                    }
                                }
                                let want = rectified(s, act), got = Double(xai_bf16_to_float(pairs[slot + 2 * c]))
                                worst = max(worst, got.isNaN ? .infinity : abs(got - want) / max(1, abs(want)))
                                if i < count / 8 * 8 && pairs[slot + 2 * c] != halves[slot + 2 * c] { tileDiffs += 1 }
                            }
                        }
                    }
                    XCTAssertFalse(pairs.contains(0xffff), "a half of the cells was not written (count \(count))")
                }
            }
        }
        print("bf16 expansion by row pairs against the direct product: max error \(worst) relative (bf16 halves); "
              + "\(tileDiffs) halves of whole tiles differ from the half-by-half kernel")
        XCTAssertLessThan(worst, 0x1p-8 + 1e-4)
        XCTAssertEqual(tileDiffs, 0)
    }

    /// Every pixel of a chunk is covered once, a paired run's lower row is its cell-mate (the
    /// other half of the same cells), and runs stay inside the chunk.
    func testRunsCoverTheChunkOnce() {
        for (k, pads, h, w) in [(3, 1, 12, 9), (5, 2, 11, 10), (3, 0, 7, 9), (5, 1, 9, 13)] {
            let plan = ConvPlan(attrs: Conv2D(kernel: (k, k), pads: (pads, pads, pads, pads), groups: 16),
                                inChannels: 16, outChannels: 16, weights: [Float](repeating: 0.1, count: 16 * k * k),
                                bias: nil, activation: nil)
            let ho = h + 2 * pads - k + 1, wo = w + 2 * pads - k + 1
            let setup = DepthwisePairRows(plan, channels: 16, h: h, w: w, ho: ho, wo: wo)
            var pairedPixels = 0
            for chunk in [1, 5, w, 2 * w - 1, 3 * w + 2, h * w] {
                for start in stride(from: 0, to: h * w, by: chunk) {
                    let pixels = start..<min(h * w, start + chunk)
                    var seen = [Int](repeating: 0, count: h * w)
                    setup.forEachRun(in: pixels) { first, count, paired in
                        XCTAssertEqual(first / w, (first + count - 1) / w, "a run crosses a row")
                        for p in first..<(first + count) {
                            seen[p] += 1
                            if paired {
                                seen[p + w] += 1
                                XCTAssertEqual(setup.slots[p] % 2, 0)
                                XCTAssertEqual(setup.slots[p + w], setup.slots[p] + 1)
                                pairedPixels += 2
                            }
                        }
                    }
                    for p in 0..<(h * w) {
                        XCTAssertEqual(seen[p], pixels.contains(p) ? 1 : 0, "pixel \(p) of chunk \(pixels)")
                    }
                }
            }
            XCTAssertGreaterThan(pairedPixels, 0)
        }
    }
}
