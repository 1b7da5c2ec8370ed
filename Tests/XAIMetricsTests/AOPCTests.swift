import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMetrics

/// AOPC against a curve computed by hand on a linear model over four 8 x 8 quadrants.
final class AOPCTests: XCTestCase {
    typealias F = MetricFixtures

    /// Quadrant weights a_q: logit 0 = sum_q a_q * (mean normalised value over quadrant q), logit
    /// 1 = 0. On the all-white image (normalised 2) logit 0 = 2 * 2.5 = 5; a gray quadrant
    /// (normalised 0) takes 2 a_q off it.
    let weights: [Float] = [1, 0.5, 2, -1]

    static func quadrant(_ i: Int) -> Int { (i / 16 / 8) * 2 + (i % 16) / 8 }

    func quadrantModel() -> Graph {
        let n = 256
        var w = [Float](repeating: 0, count: 2 * 3 * n)
        for c in 0..<3 { for i in 0..<n { w[c * n + i] = weights[Self.quadrant(i)] / Float(3 * 64) } }
        return Graph(
            input: "image", inputShape: [3, 16, 16], outputs: ["logits"],
            nodes: [
                Node(name: "flatten", op: .flatten(axis: 1), inputs: ["image"], output: "flat"),
                Node(name: "fc", op: .gemm(alpha: 1, beta: 0, transA: false, transB: true), inputs: ["flat", "W"], output: "logits"),
            ],
            constants: ["W": Tensor(shape: [2, 3 * n], data: w)], source: "test-quadrants")
    }

    /// Quadrant sums 3, 1, 4, 2 (times 64), so the order is q2, q0, q3, q1. Quadrant 1 has a
    /// +10 spike balanced by a -10 one: ranking by the largest pixel would put it first, ranking
    /// by the region's sum puts it last.
    func map() -> Tensor {
        let relevance: [Float] = [3, 1, 4, 2]
        var v = (0..<256).map { relevance[Self.quadrant($0)] }
        v[8] += 10
        v[9 * 16 + 15] -= 10
        return Tensor(shape: [16, 16], data: v)
    }

    /// Logits 5, 5 - 4, 1 - 2, -1 + 2, 1 - 1 after removing q2, q0, q3, q1: probabilities
    /// sigmoid(5, 1, -1, 1, 0) = 0.99331, 0.73106, 0.26894, 0.73106, 0.5 and
    /// AOPC = (0 + 0.26225 + 0.72437 + 0.26225 + 0.49331) / 5 = 0.348434; with K = 2 the first
    /// three points give 0.328871.
    func testHandComputedCurve() throws {
        let model = try F.context(quadrantModel())
        let image = RGBImage(width: 16, height: 16, color: (1, 1, 1))
        let input = F.input(image, map: map())
        let wantY = [0.9933071490757153, 0.7310585786300049, 0.2689414213699951, 0.7310585786300049, 0.5]
        for (steps, want) in [(4, 0.3484340035345712), (100, 0.3484340035345712), (2, 0.32887143271714353)] {
            let r = try F.metric(AOPC.self, ["region": .int(8), "steps": .int(steps), "value": .string("gray")])
                .evaluate(input, model: model)
            let k = min(steps, 4)
            let d = zip(try XCTUnwrap(r.y), wantY.prefix(k + 1)).map { abs($0 - $1) }.max() ?? .nan
            print("aopc K = \(k): \(r.value) (hand: \(want)), max curve difference \(d)")
            XCTAssertEqual(r.y?.count, k + 1)
            XCTAssertLessThan(d, 1e-6)
            XCTAssertEqual(r.value, want, accuracy: 1e-6)
            XCTAssertEqual(r.x, (0...k).map(Double.init))
            XCTAssertEqual(r.extra["steps"], Double(k))
            XCTAssertEqual(r.extra["regions"], 4)
        }
        XCTAssertEqual(AOPC.aopc([0.9, 0.5, 0.2]), (0 + 0.4 + 0.7) / 3, accuracy: 1e-12)
        XCTAssertEqual(AOPC.descriptor.direction(ResolvedParams()), .higherIsBetter)
    }

    /// Regions tile the image from the top-left corner; the last column and row may be smaller.
    func testRegionsOfAnImageNotDivisibleByTheSize() {
        let (of, count) = AOPC.regions(width: 10, height: 7, region: IntPair(h: 4, w: 4))
        XCTAssertEqual(count, 6)
        XCTAssertEqual(of[0], 0)
        XCTAssertEqual(of[3], 0)
        XCTAssertEqual(of[4], 1)
        XCTAssertEqual(of[9], 2)
        XCTAssertEqual(of[4 * 10], 3)
        XCTAssertEqual(of[6 * 10 + 9], 5)
        let (wide, n) = AOPC.regions(width: 10, height: 7, region: IntPair(h: 7, w: 5))
        XCTAssertEqual(n, 2)
        XCTAssertEqual(Set(wide), [0, 1])
    }

    /// Noise and ROAD perturbations are seeded: the same seed gives the same curve, another seed
    /// another one; ROAD keeps one region (its imputation needs a kept pixel).
    func testRandomPerturbationsAreSeeded() throws {
        let model = try F.context(quadrantModel())
        let image = F.randomImage(size: 16, seed: 5)
        for value in ["noise", "road"] {
            let metric = try F.metric(AOPC.self, ["region": .int(8), "value": .string(value)])
            let a = try metric.evaluate(F.input(image, map: map(), seed: 1), model: model)
            let b = try metric.evaluate(F.input(image, map: map(), seed: 1), model: model)
            let c = try metric.evaluate(F.input(image, map: map(), seed: 2), model: model)
            print("aopc \(value): seed 1 \(a.value), seed 2 \(c.value)")
            XCTAssertEqual(a, b)
            XCTAssertNotEqual(a.y, c.y)
            XCTAssertEqual(a.extra["steps"], value == "road" ? 3 : 4)
        }
        XCTAssertThrowsError(try F.metric(AOPC.self, ["region": .int(16), "value": .string("road")]).evaluate(F.input(image, map: map()), model: model))
    }
}
