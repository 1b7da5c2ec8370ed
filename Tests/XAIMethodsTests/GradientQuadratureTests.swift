import XCTest
@testable import XAIMethods

/// Quadrature rules of integrated gradients.
final class GradientQuadratureTests: XCTestCase {
    func testWeightsSumToOneForEveryRuleAndCount() {
        var worst = 0.0
        for rule in QuadratureRule.allCases {
            for n in rule.minimumPoints...300 {
                let (alphas, weights) = rule.points(n)
                XCTAssertEqual(alphas.count, n)
                XCTAssertEqual(weights.count, n)
                let s = weights.reduce(0, +)
                worst = max(worst, abs(s - 1))
                XCTAssertEqual(s, 1, accuracy: 1e-12, "\(rule.rawValue) n=\(n)")
                XCTAssertTrue(alphas.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(rule.rawValue) n=\(n) has a point outside [0, 1]")
                XCTAssertTrue(weights.allSatisfy { $0 > 0 }, "\(rule.rawValue) n=\(n) has a non-positive weight")
            }
        }
        print("quadrature: max |sum(weights) - 1| = \(worst)")
    }

    func testRiemannPointPlacement() {
        XCTAssertEqual(QuadratureRule.riemannLeft.points(4).alphas, [0, 0.25, 0.5, 0.75])
        XCTAssertEqual(QuadratureRule.riemannRight.points(4).alphas, [0.25, 0.5, 0.75, 1])
        XCTAssertEqual(QuadratureRule.riemannMiddle.points(4).alphas, [0.125, 0.375, 0.625, 0.875])
        let t = QuadratureRule.riemannTrapezoid.points(5)
        XCTAssertEqual(t.alphas, [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(t.weights, [0.125, 0.25, 0.25, 0.25, 0.125])
    }

    func testGaussLegendreIsExactForPolynomialsUpToDegree2nMinus1() {
        for n in [1, 2, 3, 5, 8, 16, 50, 128] {
            let (alphas, weights) = QuadratureRule.gaussLegendre.points(n)
            var worst = 0.0
            for k in 0...min(2 * n - 1, 60) {
                var integral = 0.0
                for i in 0..<n { integral += weights[i] * pow(alphas[i], Double(k)) }
                worst = max(worst, abs(integral - 1 / Double(k + 1)))
            }
            print("gauss_legendre n=\(n): max error on x^k, k <= \(min(2 * n - 1, 60)): \(worst)")
            XCTAssertLessThan(worst, 1e-12, "n=\(n)")
            XCTAssertEqual(alphas, alphas.sorted(), "nodes ascending")
        }
        // Known 2-point nodes on [0, 1]: 1/2 -+ 1/(2 sqrt 3).
        let two = QuadratureRule.gaussLegendre.points(2).alphas
        XCTAssertEqual(two[0], 0.5 - 0.5 / 3.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(two[1], 0.5 + 0.5 / 3.0.squareRoot(), accuracy: 1e-15)
    }

    func testTrapezoidIsExactForLinearIntegrands() {
        for n in [2, 3, 10] {
            let (a, w) = QuadratureRule.riemannTrapezoid.points(n)
            let integral = zip(a, w).reduce(0.0) { $0 + $1.1 * (3 * $1.0 + 1) }
            XCTAssertEqual(integral, 2.5, accuracy: 1e-12)
        }
    }
}
