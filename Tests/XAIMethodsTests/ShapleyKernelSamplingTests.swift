import XCTest
@testable import XAIMethods

/// KernelSHAP's sampled coalitions against the exact Shapley kernel: the total weight given to
/// coalitions of each size must follow the kernel's size mass (M - 1) / (k (M - k)), for even M
/// (where the middle size has no complement of another size) as for odd M.
final class ShapleyKernelSamplingTests: XCTestCase {
    func testSampledSizeWeightsFollowTheShapleyKernel() {
        for m in [36, 35, 12, 11] {
            // A budget that enumerates the outer sizes and samples the rest.
            let c = ShapleyCoalitions(m: m, samples: 20_000, seed: 3)
            var bySize = [Double](repeating: 0, count: m + 1)
            for i in 0..<c.count {
                let k = c.members[(i * m)..<((i + 1) * m)].filter { $0 }.count
                bySize[k] += c.weights[i]
            }
            let exact = (0...m).map { k in k == 0 || k == m ? 0 : ShapleyCoalitions.sizeMass(k, m) }
            let total = bySize.reduce(0, +), exactTotal = exact.reduce(0, +)
            var worst = 0.0
            for k in 1..<m {
                let got = bySize[k] / total, want = exact[k] / exactTotal
                worst = max(worst, abs(got - want) / want)
            }
            let middle = m / 2
            print("M = \(m): size \(middle) gets \(bySize[middle] / total) of the weight, exact kernel \(exact[middle] / exactTotal); worst relative error over sizes \(worst)")
            XCTAssertLessThan(worst, 0.15, "M = \(m)")
        }
    }
}
