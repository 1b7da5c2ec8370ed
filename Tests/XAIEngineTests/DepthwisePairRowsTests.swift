import XCTest
import CKernels
import XAICore
@testable import XAIEngine

/// The bf16 depthwise kernel of bf16 passes (DepthwisePairRows, CKernels' xai_bf16_depthwise_rows)
/// against a direct depthwise conv in double on the same bf16-rounded inputs and weights: the
/// products of bf16 values are exact in float32, so only float32 accumulation differs.
final class DepthwisePairRowsTests: XCTestCase {
    /// (kernel, stride, pads (top, left, bottom, right), input h, w): 3x3 and 5x5, strides 1
    /// and 2, symmetric and one-sided ("same", stride 2) padding, rows of 7, 14, 21 and 28
    /// outputs (in groups of seven) and others, odd
    /// and even heights (the windows of odd output rows start on odd padded rows at stride 1).
    static let cases: [(k: Int, s: Int, pads: (Int, Int, Int, Int), h: Int, w: Int)] = [
        (3, 1, (1, 1, 1, 1), 7, 7), (3, 1, (1, 1, 1, 1), 14, 14), (3, 1, (1, 1, 1, 1), 9, 20), (3, 1, (0, 0, 0, 0), 10, 9),
        (3, 2, (0, 0, 1, 1), 14, 14), (3, 2, (1, 1, 1, 1), 15, 15), (3, 2, (1, 1, 1, 1), 28, 17),
        (5, 1, (2, 2, 2, 2), 7, 7), (5, 1, (2, 2, 2, 2), 11, 10), (5, 1, (2, 2, 2, 2), 14, 23),
        (5, 2, (1, 1, 2, 2), 14, 14), (5, 2, (2, 2, 2, 2), 15, 13), (5, 2, (1, 1, 2, 2), 28, 28),
        (3, 1, (1, 1, 1, 1), 5, 28), (5, 2, (2, 2, 2, 2), 6, 42),
    ]

    func testAgainstDirectDepthwiseOnBF16Values() throws {
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
        var g = SeededGenerator(seed: 71)
        let c = 32, L = ConvPlan.laneCount
        var worst: Float = 0
        for (k, s, pads, h, w) in Self.cases {
            for act in [nil, FusedActivation.clip(min: 0, max: 6)] {
                let attrs = Conv2D(kernel: (k, k), stride: (s, s), pads: pads, groups: c)
                let weights = g.tensor([c, k * k], scale: 0.5).data.map(BF16Tests.roundedBF16)
                let plan = ConvPlan(attrs: attrs, inChannels: c, outChannels: c, weights: weights,
                                    bias: g.tensor([c], scale: 0.3).data, activation: act)
                let x = g.tensor([c, h, w], scale: 2).data.map(BF16Tests.roundedBF16)
                let yShape = plan.outputShape([1, c, h, w])
                let (ho, wo) = (yShape[2], yShape[3])
                XCTAssertTrue(DepthwisePairRows.applies(plan, wo: wo))
                let setup = DepthwisePairRows(plan, channels: c, h: h, w: w, ho: ho, wo: wo)
                // NaN everywhere first: a half that is read but neither zeroed nor written shows.
                let cells = setup.pairRows * setup.wp + 64
                var block = [UInt16](repeating: 0x7fc0, count: cells * L * 2)
                var out = [SIMD16<Float>](repeating: SIMD16(repeating: .nan), count: ho * wo)
                var d: Float = 0
                for cb in 0..<c / L {
                    block.withUnsafeMutableBytes { setup.zeroPadding($0.baseAddress!) }
                    for p in 0..<h * w {
                        for lane in 0..<L {
                            block[setup.slots[p] + 2 * lane] = xai_bf16_from_float(x[(cb * L + lane) * h * w + p])
                        }
                    }
                    // In two row ranges, as the fused step runs them.
                    for rows in [0..<ho / 2, ho / 2..<ho] {
                        block.withUnsafeBytes { b in
                            out.withUnsafeMutableBufferPointer { setup.compute(block: cb, pairs: b.baseAddress!, rows: rows, into: $0.baseAddress!) }
                        }
                    }
                    for oh in 0..<ho {
                        for ow in 0..<wo {
                            for lane in 0..<L {
                                let ch = cb * L + lane
                                var sum = Double(plan.bias![ch]), size = abs(sum)
                                for ki in 0..<k {
                                    for kj in 0..<k {
                                        let ih = oh * s + ki - pads.0, iw = ow * s + kj - pads.1
                                        guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                                        let t = Double(weights[ch * k * k + ki * k + kj]) * Double(x[ch * h * w + ih * w + iw])
                                        sum += t
                                        size += abs(t)
                                    }
                                }
                                let e = Float(abs(Double(out[oh * wo + ow][lane]) - rectified(sum, act)) / max(1, size))
                                d = max(d, e.isNaN ? .infinity : e)
                            }
                        }
                    }
                }
                print("bf16 depthwise pair rows \(k)x\(k) stride \(s) pads \(pads) \(h)x\(w) -> \(ho)x\(wo)"
                      + " \(act.map { "\($0)" } ?? "linear"): max diff relative to the terms' size \(d)")
                worst = max(worst, d)
            }
        }
        XCTAssertLessThan(worst, 1e-6)
    }

    /// Taps rounded keeping their sum: for large taps of nearly zero sum (as folded batch norms
    /// give) the sum errs by half a unit of the last, smallest tap (at most 2^-8 of the largest
    /// tap), plain rounding's by up to half a unit per tap; a tap errs by at most its own half
    /// unit plus the carried one (2^-7 of the largest).
    func testRoundingKeepsTheFilterSum() {
        var g = SeededGenerator(seed: 73)
        var plainWorst = 0.0, keptWorst = 0.0, tapWorst = 0.0
        for taps in [9, 25] {
            for _ in 0..<200 {
                var w = (0..<taps).map { _ in g.uniform(20) }
                w[0] -= w.reduce(0, +)  // sum near zero
                let sum = w.reduce(0.0) { $0 + Double($1) }
                let kept = DepthwisePairRows.roundedKeepingSum(w).map { Double(xai_bf16_to_float($0)) }
                let plain = w.map { Double(BF16Tests.roundedBF16($0)) }
                let largest = Double(w.map(abs).max()!)
                plainWorst = max(plainWorst, abs(plain.reduce(0, +) - sum) / largest)
                keptWorst = max(keptWorst, abs(kept.reduce(0, +) - sum) / largest)
                tapWorst = max(tapWorst, zip(kept, w).map { abs($0 - Double($1)) }.max()! / largest)
            }
        }
        print("bf16 depthwise taps: sum error relative to the largest tap \(keptWorst) kept, \(plainWorst) plain; "
              + "largest tap error \(tapWorst)")
        XCTAssertLessThanOrEqual(keptWorst, 0x1p-8)
        XCTAssertLessThanOrEqual(tapWorst, 0x1p-7)
        XCTAssertLessThan(keptWorst, plainWorst / 4)
    }

    /// Rows the expansion has not reached yet are never read: with every input row after
    /// `full` NaN, the rows `readyRows(full)` says are ready stay finite.
    func testReadyRowsReadOnlyFilledRows() throws {
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
        var g = SeededGenerator(seed: 72)
        let c = 16
        for (k, s, pads, h, w) in Self.cases {
            let plan = ConvPlan(attrs: Conv2D(kernel: (k, k), stride: (s, s), pads: pads, groups: c), inChannels: c,
                                outChannels: c, weights: g.tensor([c, k * k], scale: 0.5).data, bias: nil, activation: nil)
            let yShape = plan.outputShape([1, c, h, w])
            let setup = DepthwisePairRows(plan, channels: c, h: h, w: w, ho: yShape[2], wo: yShape[3])
            for full in [0, 1, h / 2, h - 1] {
                var block = [UInt16](repeating: 0x7fc0, count: (setup.pairRows * setup.wp + 64) * 32)
                block.withUnsafeMutableBytes { setup.zeroPadding($0.baseAddress!) }
                for p in 0..<full * w { for lane in 0..<16 { block[setup.slots[p] + 2 * lane] = 0x3f80 } }
                let ready = setup.readyRows(full)
                var out = [SIMD16<Float>](repeating: .zero, count: max(1, ready * yShape[3]))
                block.withUnsafeBytes { b in
                    out.withUnsafeMutableBufferPointer { setup.compute(block: 0, pairs: b.baseAddress!, rows: 0..<ready, into: $0.baseAddress!) }
                }
                let finite = out.allSatisfy { v in (0..<16).allSatisfy { v[$0].isFinite } }
                XCTAssertTrue(finite, "\(k)x\(k) stride \(s) \(h)x\(w): \(ready) rows ready after \(full) read a NaN")
            }
        }
    }
}
