import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods

/// Activation maximisation and Deep Dream on the small test nets.
final class VisualisationTests: XCTestCase {
    func testPenaltyGradientsMatchFiniteDifferences() throws {
        let am = try ActivationMaximization(params: TestModels.params(ActivationMaximization.descriptor, ["l2": .double(0.3), "tv": .double(0.7)]))
        let (h, w) = (4, 5)
        var rng = SeededRandom(seed: 8)
        let p = rng.uniforms(3 * h * w)
        func penalty(_ q: [Float]) -> Double {
            var s = 0.0
            for c in 0..<3 {
                for y in 0..<h {
                    for x in 0..<w {
                        let i = c * h * w + y * w + x
                        s += 0.3 * Double(q[i] - 0.5) * Double(q[i] - 0.5)
                        if x + 1 < w { s += 0.7 * Double(q[i + 1] - q[i]) * Double(q[i + 1] - q[i]) }
                        if y + 1 < h { s += 0.7 * Double(q[i + w] - q[i]) * Double(q[i + w] - q[i]) }
                    }
                }
            }
            return s
        }
        var g = [Float](repeating: 0, count: p.count)
        am.addPenaltyGradients(&g, p, h, w)
        var worst = 0.0
        for i in p.indices {
            var a = p, b = p
            a[i] += 1e-3
            b[i] -= 1e-3
            let numeric = -(penalty(a) - penalty(b)) / 2e-3
            worst = max(worst, abs(numeric - Double(g[i])))
        }
        print("activation maximisation penalty gradient vs central differences: max diff \(worst)")
        XCTAssertLessThan(worst, 1e-3)
    }

    func testActivationMaximizationRaisesTheClassLogit() throws {
        let graph = TestModels.smoothNet(size: 12, channels: 5, classes: 3)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 2)
        let am = try ActivationMaximization(params: TestModels.params(ActivationMaximization.descriptor, [
            "steps": .int(30), "jitter": .int(1), "blur_every": .int(5), "class": .string("class 1")]))
        let e = try am.explain(input, model: model)
        let s0 = e.scalars["initial_objective"]!, s1 = e.scalars["final_objective"]!
        print("activation maximisation: logit of class 1 \(s0) -> \(s1)")
        XCTAssertGreaterThan(s1, s0)
        let img = e.images["synthesis"]!
        XCTAssertTrue(img.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        XCTAssertEqual(e.map.shape, [12, 12])
        // Deterministic per seed.
        XCTAssertEqual(try am.explain(input, model: model).images["synthesis"], img)
        // The logit the scalar reports is the model's on the synthesis.
        let logits = try model.engine.logits(model.normalize(img.tensor))
        XCTAssertEqual(Double(logits.data[1]), s1, accuracy: 1e-5)
    }

    func testActivationMaximizationOfAChannel() throws {
        let graph = TestModels.convNet(size: 8, channels: 4)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph))
        let am = try ActivationMaximization(params: TestModels.params(ActivationMaximization.descriptor, [
            "target": .string("channel"), "channel": .int(2), "steps": .int(20), "jitter": .int(0)]))
        let e = try am.explain(input, model: model)
        print("channel maximisation: \(e.scalars["initial_objective"]!) -> \(e.scalars["final_objective"]!)")
        XCTAssertGreaterThan(e.scalars["final_objective"]!, e.scalars["initial_objective"]!)
        XCTAssertThrowsError(try ActivationMaximization(params: TestModels.params(ActivationMaximization.descriptor, [
            "target": .string("channel"), "channel": .int(9)])).explain(input, model: model)) { e in
            XCTAssertTrue("\(e)".contains("channel"), "\(e)")
        }
        XCTAssertThrowsError(try ActivationMaximization(params: TestModels.params(ActivationMaximization.descriptor, [
            "class": .string("no such class")])).explain(input, model: model)) { e in
            XCTAssertTrue("\(e)".contains("class"), "\(e)")
        }
    }

    func testDeepDreamAmplifiesTheLayer() throws {
        let graph = TestModels.convNet(size: 12, channels: 4)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph))
        let dd = try DeepDream(params: TestModels.params(DeepDream.descriptor, ["octaves": .int(2), "steps": .int(5), "lr": .double(0.02)]))
        let e = try dd.explain(input, model: model)
        print("deep dream objective \(e.scalars["initial_objective"]!) -> \(e.scalars["final_objective"]!)")
        XCTAssertGreaterThan(e.scalars["final_objective"]!, e.scalars["initial_objective"]!)
        XCTAssertNotEqual(e.images["dream"], input.image)
        XCTAssertTrue(e.map.data.allSatisfy { $0 >= 0 })
    }

    func testPlanarResamplingHelpers() {
        let data: [Float] = (0..<16).map(Float.init)
        XCTAssertEqual(PlanarImage.shrink(data, planes: 1, height: 4, width: 4, toH: 2, toW: 2), [2.5, 4.5, 10.5, 12.5])
        XCTAssertEqual(PlanarImage.roll(PlanarImage.roll(data, planes: 1, height: 4, width: 4, dy: 1, dx: -2),
                                        planes: 1, height: 4, width: 4, dy: -1, dx: 2), data)
        XCTAssertEqual(PlanarImage.roll(data, planes: 1, height: 4, width: 4, dy: 0, dx: 1)[0...3], [3, 0, 1, 2])
    }
}
