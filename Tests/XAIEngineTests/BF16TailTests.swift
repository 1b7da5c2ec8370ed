import Foundation
import XCTest
import CKernels
@testable import XAIEngine

/// The bf16 kernels' short tails against direct products in double: the product's last few
/// columns (xai_bf16_gemm_columns) and the expansion's last pixels of a block (fewer than 16,
/// xai_bf16_expand_block / _pairs). Operands are bf16 values, so the products are exact and only
/// float32 sums (in another order than the oracle's) differ.
final class BF16TailTests: XCTestCase {
    let activations: [FusedActivation?] = [nil, .relu, .clip(min: 0, max: 0.5), .leakyRelu(alpha: 0.1)]

    func requireBF16() throws {
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
    }

    static func bf16Values(_ count: Int, _ g: inout SeededGenerator) -> [UInt16] {
        (0..<count).map { _ in xai_bf16_from_float(Float.random(in: -1...1, using: &g)) }
    }

    /// C[rows][width] of one 8-row panel [k2][8][2] over packed columns [k2][ldb][2]: widths
    /// 1 ... 9 (four-column groups and their remainders), k2 with every remainder mod 4, rows
    /// past `rows` and columns past `width` untouched.
    func testFewColumnsAgainstDirectProduct() throws {
        try requireBF16()
        var g = SeededGenerator(seed: 71)
        var worst = 0.0
        for k2 in [1, 2, 3, 4, 5, 7, 8, 33, 96] {
            for width in 1...9 {
                for rows in [1, 5, 8] {
                    let ldb = width + 3, ldc = 12
                    let a = Self.bf16Values(k2 * 16, &g), b = Self.bf16Values(k2 * ldb * 2, &g)
                    let bias = (0..<8).map { _ in Float.random(in: -0.5...0.5, using: &g) }
                    for act in activations {
                        var c = [Float](repeating: .nan, count: 8 * ldc)
                        xai_bf16_gemm_columns(k2, a, b, ldb, bias, xai_rectifier(Rectifier16(act)), &c, ldc, rows, width)
                        for i in 0..<8 {
                            for j in 0..<ldc {
                                let got = c[i * ldc + j]
                                guard i < rows && j < width else {
                                    XCTAssertTrue(got.isNaN, "wrote outside rows \(rows) x width \(width)")
                                    continue
                                }
                                var s = Double(bias[i])
                                for p in 0..<k2 {
                                    for h in 0..<2 {
                                        s += Double(xai_bf16_to_float(a[(p * 8 + i) * 2 + h]))
                                            * Double(xai_bf16_to_float(b[(p * ldb + j) * 2 + h]))
                                    }
                                }
                                worst = max(worst, abs(Double(got) - rectified(s, act)))
                            }
                        }
                    }
                }
            }
        }
        print("bf16 product's few columns against the direct product: max error \(worst)")
        XCTAssertLessThan(worst, 1e-4)
    }

    /// One 16-channel block of the expansion for pixel counts 1 ... 37 (whole tiles plus every
    /// tail length), k2 with every remainder mod 4, float32 cells and bf16 halves.
    func testExpansionTailsAgainstDirectProduct() throws {
        try requireBF16()
        var g = SeededGenerator(seed: 72)
        var worst = 0.0, worstHalves = 0.0
        for k2 in [1, 2, 3, 4, 6, 13] {
            for count in Array(1...20) + [31, 32, 33, 37] {
                let ldx = count + 2
                let x = Self.bf16Values(k2 * ldx * 2, &g), f = Self.bf16Values(k2 * 32, &g)
                let bias = (0..<16).map { _ in Float.random(in: -0.5...0.5, using: &g) }
                // Reversed cells, so a pixel written to its neighbour's cell shows.
                let slots = (0..<count).map { count - 1 - $0 }
                let halves = (0..<count).map { 32 * (count - 1 - $0) + $0 % 2 }
                for act in activations {
                    let r = xai_rectifier(Rectifier16(act))
                    var cells = [Float](repeating: .nan, count: 16 * count)
                    var pairs = [UInt16](repeating: 0xffff, count: 32 * count)
                    xai_bf16_expand_block(k2, x, ldx, count, f, bias, r, slots, &cells)
                    xai_bf16_expand_pairs(k2, x, ldx, count, f, bias, r, halves, &pairs)
                    for i in 0..<count {
                        for c in 0..<16 {
                            var s = Double(bias[c])
                            for p in 0..<k2 {
                                for h in 0..<2 {
                                    s += Double(xai_bf16_to_float(f[(p * 16 + c) * 2 + h]))
                                        * Double(xai_bf16_to_float(x[(p * ldx + i) * 2 + h]))
                                }
                            }
                            let want = rectified(s, act)
                            let got = Double(cells[16 * slots[i] + c])
                            worst = max(worst, got.isNaN ? .infinity : abs(got - want))
                            // The half is the cell's value rounded: within 2^-8 of it, plus the sums' error.
                            let half = Double(xai_bf16_to_float(pairs[halves[i] + 2 * c]))
                            worstHalves = max(worstHalves, abs(half - want) / max(1, abs(want)))
                        }
                    }
                    let written = Set((0..<count).flatMap { i in (0..<16).map { halves[i] + 2 * $0 } })
                    XCTAssertTrue(pairs.indices.allSatisfy { written.contains($0) || pairs[$0] == 0xffff },
                                  "a bf16 half outside the pixels' halves was written (count \(count))")
                }
            }
        }
        print("bf16 expansion tails against the direct product: max error \(worst) (float32 cells), "
              + "\(worstHalves) relative (bf16 halves)")
        XCTAssertLessThan(worst, 1e-4)
        XCTAssertLessThan(worstHalves, 0x1p-8 + 1e-4)
    }
}
