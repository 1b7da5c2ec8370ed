import XCTest
import XAICore
@testable import XAIEngine

/// The row-vectorised max pooling (MaxPoolRows.swift) against a direct maximum over each
/// window's cells: kernels 1 to 5, strides 1 to 3 (2 takes the even-lane path), pads, ceil
/// mode, and widths on both sides of the 16-lane vectors.
final class MaxPoolRowsTests: XCTestCase {
    private func naiveMaxPool(_ x: Tensor, _ p: Pool2D) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = Pooling.outputSize(p, h: h, w: w)!
        var y = Tensor(zeros: [n, c, o.h, o.w])
        for plane in 0..<(n * c) {
            for oh in 0..<o.h {
                for ow in 0..<o.w {
                    var m = -Float.infinity
                    for ki in 0..<p.kernel.h {
                        for kj in 0..<p.kernel.w {
                            let ih = oh * p.stride.h - p.pads.top + ki, iw = ow * p.stride.w - p.pads.left + kj
                            if ih >= 0 && ih < h && iw >= 0 && iw < w { m = max(m, x.data[(plane * h + ih) * w + iw]) }
                        }
                    }
                    y.data[(plane * o.h + oh) * o.w + ow] = m
                }
            }
        }
        return y
    }

    func testRowsAgainstDirectWindows() {
        var g = SeededGenerator(seed: 17)
        var cases = 0, worst: Float = 0
        for (k, s, pad, ceil) in [(3, 2, 1, false), (2, 2, 0, true), (3, 1, 1, false), (5, 3, 2, true), (1, 1, 0, false),
                                  (4, 2, 1, false), (3, 2, 0, true)] {
            for (h, w) in [(5, 6), (9, 33), (17, 40), (112, 112), (7, 64), (3, 2)] {
                let p = Pool2D(kernel: (k, k), stride: (s, s), pads: (pad, pad, pad, pad), ceilMode: ceil)
                guard Pooling.outputSize(p, h: h, w: w) != nil else { continue }
                let x = g.tensor([2, 3, h, w], scale: 1)
                let y = Pooling.forward(max: true, p, x), ref = naiveMaxPool(x, p)
                XCTAssertEqual(y.shape, ref.shape)
                XCTAssertEqual(y.data, ref.data, "k\(k) s\(s) p\(pad) ceil \(ceil) \(h)x\(w)")
                worst = max(worst, y.maxAbsDifference(ref))
                cases += 1
            }
        }
        print("max pooling rows: \(cases) configurations, max error \(worst) (bitwise equal expected)")
    }
}
