import XCTest
import XAICore
@testable import XAIEngine

/// MaxPool's vectorised input gradient (MaxPoolGradient.swift) against the scalar rule, window
/// by window in output order: each window's dy added at its first maximum. Inputs take few
/// distinct values (ties in most windows, so "first" matters) and some -infinity cells.
final class MaxPoolGradientTests: XCTestCase {
    private func scalarGradient(_ x: Tensor, _ dy: Tensor, _ p: Pool2D) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = (dy.shape[2], dy.shape[3])
        var dx = Tensor(zeros: x.shape)
        x.data.withUnsafeBufferPointer { xb in
            for plane in 0..<(n * c) {
                for oh in 0..<ho {
                    for ow in 0..<wo {
                        if let at = MaxPoolGradient.firstMaximum(p, x: xb.baseAddress! + plane * h * w, h: h, w: w, oh: oh, ow: ow) {
                            dx.data[plane * h * w + at] += dy.data[(plane * ho + oh) * wo + ow]
                        }
                    }
                }
            }
        }
        return dx
    }

    func testVectorRowsRouteLikeTheScalarRule() {
        var g = SeededGenerator(seed: 29)
        var cases = 0, worst: Float = 0
        for (k, s, pad, ceil) in [(3, 2, 1, false), (2, 2, 0, true), (3, 1, 1, false), (5, 3, 2, true), (1, 1, 0, false),
                                  (4, 2, 1, false), (3, 2, 0, true), (2, 1, 0, false)] {
            for (h, w) in [(5, 6), (9, 33), (17, 40), (112, 112), (7, 64), (3, 2), (6, 35)] {
                let p = Pool2D(kernel: (k, k), stride: (s, s), pads: (pad, pad, pad, pad), ceilMode: ceil)
                guard let o = Pooling.outputSize(p, h: h, w: w) else { continue }
                var x = g.tensor([2, 3, h, w], scale: 1)
                for i in x.data.indices { x.data[i] = i % 37 == 5 ? -.infinity : (x.data[i] * 2).rounded() }
                let dy = g.tensor([2, 3, o.h, o.w], scale: 1)
                let dx = Pooling.backward(max: true, p, x: x, inputShape: x.shape, dy: dy), ref = scalarGradient(x, dy, p)
                XCTAssertEqual(dx.data, ref.data, "k\(k) s\(s) p\(pad) ceil \(ceil) \(h)x\(w)")
                worst = max(worst, dx.maxAbsDifference(ref))
                cases += 1
            }
        }
        print("max pooling gradient: \(cases) configurations, max difference \(worst) (bitwise equal expected)")
    }
}
