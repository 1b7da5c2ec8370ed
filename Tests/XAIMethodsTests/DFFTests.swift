import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods

/// NMF and Deep Feature Factorization.
final class DFFTests: XCTestCase {
    /// A non-negative [m, n] matrix with approximate rank `r` plus a little noise.
    private func lowRankMatrix(m: Int, n: Int, r: Int, seed: UInt64) -> [Float] {
        var rng = SeededRandom(seed: seed)
        let w = rng.uniforms(m * r), h = rng.uniforms(r * n)
        var v = Matrix.product(w, h, m: m, n: n, k: r)
        for i in v.indices { v[i] += 0.05 * rng.nextFloat() }
        return v
    }

    /// Leading singular pair of a non-negative matrix by power iteration on V^T V (Perron
    /// vector, non-negative): the best rank-1 approximation, which rank-1 NMF must reach.
    private func rankOne(_ v: [Float], m: Int, n: Int) -> (u: [Double], s: Double, vt: [Double]) {
        var x = [Double](repeating: 1, count: n)
        for _ in 0..<2000 {
            let y = (0..<m).map { i in (0..<n).reduce(0.0) { $0 + Double(v[i * n + $1]) * x[$1] } }
            var z = (0..<n).map { j in (0..<m).reduce(0.0) { $0 + Double(v[$1 * n + j]) * y[$1] } }
            let norm = z.reduce(0) { $0 + $1 * $1 }.squareRoot()
            z = z.map { $0 / norm }
            x = z
        }
        let u = (0..<m).map { i in (0..<n).reduce(0.0) { $0 + Double(v[i * n + $1]) * x[$1] } }
        let s = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return (u.map { $0 / s }, s, x)
    }

    func testReconstructionErrorDecreasesAndFactorsStayNonNegative() {
        let (m, n) = (40, 30)
        let v = lowRankMatrix(m: m, n: n, r: 3, seed: 1)
        for solver in NMF.Solver.allCases {
            let f = NMF.factorize(v, rows: m, cols: n, rank: 3, iterations: 200, solver: solver, seed: 7)
            XCTAssertEqual(f.errors.count, 200)
            var worstIncrease = 0.0
            for i in 1..<f.errors.count { worstIncrease = max(worstIncrease, f.errors[i] - f.errors[i - 1]) }
            print("NMF \(solver.rawValue): relative error \(f.errors[0]) -> \(f.errors.last!), largest increase between iterations \(worstIncrease)")
            XCTAssertLessThan(worstIncrease, 1e-6, "\(solver.rawValue) error went up")
            XCTAssertLessThan(f.errors.last!, f.errors[0] * 0.5)
            XCTAssertLessThan(f.errors.last!, 0.05, "\(solver.rawValue) did not fit a rank-3 matrix")
            XCTAssertTrue(f.w.allSatisfy { $0 >= 0 } && f.h.allSatisfy { $0 >= 0 })
        }
        // Same seed, same factors.
        let a = NMF.factorize(v, rows: m, cols: n, rank: 2, iterations: 20, seed: 3)
        let b = NMF.factorize(v, rows: m, cols: n, rank: 2, iterations: 20, seed: 3)
        XCTAssertEqual(a.w, b.w)
    }

    func testRankOneNMFIsTheLeadingSingularPair() {
        let (m, n) = (25, 18)
        let v = lowRankMatrix(m: m, n: n, r: 4, seed: 2)
        let (u, _, _) = rankOne(v, m: m, n: n)
        for solver in NMF.Solver.allCases {
            let f = NMF.factorize(v, rows: m, cols: n, rank: 1, iterations: 300, solver: solver, seed: 5)
            let wn = f.w.map(Double.init)
            let norm = wn.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let diff = zip(wn, u).map { abs($0 / norm - $1) }.max()!
            print("rank-1 NMF (\(solver.rawValue)) vs power iteration: max diff of unit factors \(diff)")
            XCTAssertLessThan(diff, 1e-4)
        }
    }

    func testDFFWithOneConceptIsTheRankOneFactorOfShiftedActivations() throws {
        let graph = TestModels.convNet(size: 8, channels: 6, classes: 4)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 0)
        let e = try DeepFeatureFactorization(params: TestModels.params(DeepFeatureFactorization.descriptor, ["concepts": .int(1), "iterations": .int(300)]))
            .explain(input, model: model)
        let a = try TestModels.activations(model.engine, input.input, [TestModels.featureLayer])[TestModels.featureLayer]!
        let (c, p) = (a.shape[1], a.shape[2] * a.shape[3])
        // V [pixels, channels], each channel shifted by its minimum.
        var v = [Float](repeating: 0, count: p * c)
        for ch in 0..<c {
            let lo = (0..<p).map { a.data[ch * p + $0] }.min()!
            for px in 0..<p { v[px * c + ch] = a.data[ch * p + px] - lo }
        }
        let (u, _, _) = rankOne(v, m: p, n: c)
        let peak = u.max()!
        let expected = u.map { Float($0 / peak) }
        let diff = maxDifference(e.lowResolution!.data, expected)
        print("DFF concepts=1 vs rank-1 factor: max diff \(diff)")
        XCTAssertLessThan(diff, 1e-3)
        XCTAssertEqual(e.map.shape, [1, 8, 8])
        XCTAssertTrue(e.map.data.allSatisfy { $0 >= 0 })
    }

    func testDFFConceptsMapsLegendAndPicture() throws {
        let graph = TestModels.convNet(size: 8, channels: 8, classes: 5)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 0)
        let dff = try DeepFeatureFactorization(params: TestModels.params(DeepFeatureFactorization.descriptor, ["concepts": .int(3), "top_labels": .int(2)]))
        let e = try dff.explain(input, model: model)
        XCTAssertEqual(e.map.shape, [3, 8, 8])
        XCTAssertEqual(e.lowResolution!.shape, [3, 8, 8])
        XCTAssertTrue(e.map.data.allSatisfy { $0 >= 0 }, "concept maps must be non-negative")
        for j in 0..<3 { XCTAssertEqual(e.lowResolution!.data[(j * 64)..<((j + 1) * 64)].max()!, 1, accuracy: 1e-6) }
        XCTAssertEqual(e.legend.count, 3)
        XCTAssertTrue(e.legend.allSatisfy { $0.labels.count == 2 && $0.scores.count == 2 && $0.scores[0] >= $0.scores[1] })
        XCTAssertEqual(Set(e.legend.map { $0.color }).count, 3, "concept colours must differ")
        let errs = e.arrays["reconstruction_errors"]!.data
        XCTAssertLessThan(errs.last!, errs.first!)
        XCTAssertEqual(Double(errs.last!), e.scalars["reconstruction_error"]!, accuracy: 1e-6)
        let pic = e.images["concepts"]!
        XCTAssertEqual([pic.width, pic.height], [8, 8])

        // The legend's labels are the softmax top classes of the embedding run from the layer.
        let emb = e.arrays["concept_embeddings"]!
        let engine = model.engine
        let a = try TestModels.activations(engine, input.input, [TestModels.featureLayer])[TestModels.featureLayer]!
        let fc = graph.constants["fc.W"]!, fb = graph.constants["fc.b"]!
        let c = 8
        let minima = (0..<c).map { ch in a.data[(ch * 64)..<((ch + 1) * 64)].min()! }
        for j in 0..<3 {
            // GAP of a constant map is the embedding itself; then the linear layer.
            let logits = (0..<5).map { k in (0..<c).reduce(fb.data[k]) { $0 + fc.data[k * c + $1] * (emb.data[j * c + $1] + minima[$1]) } }
            let best = logits.indices.max { logits[$0] < logits[$1] }!
            XCTAssertEqual(e.legend[j].labels[0], "class \(best)")
        }
    }

    func testJointDFFSharesConceptsAcrossImages() throws {
        let graph = TestModels.convNet(size: 8, channels: 6, classes: 4)
        let model = try TestModels.context(graph)
        let inputs = (0..<3).map { TestModels.input(TestModels.image(for: graph, seed: UInt64(10 + $0)), target: 0, seed: 5) }
        let dff = try DeepFeatureFactorization(params: TestModels.params(DeepFeatureFactorization.descriptor, ["concepts": .int(2), "joint": .bool(true)]))
        let joint = try dff.explainJointly(inputs, model: model)
        XCTAssertEqual(joint.count, 3)
        XCTAssertTrue(joint.allSatisfy { $0.legend == joint[0].legend }, "joint mode must share one legend")
        XCTAssertTrue(joint.allSatisfy { $0.arrays["concept_embeddings"] == joint[0].arrays["concept_embeddings"] })
        let peak = joint.map { $0.lowResolution!.maxValue }.max()!
        XCTAssertEqual(peak, 1, accuracy: 1e-6, "concepts are scaled over all images together")
        XCTAssertEqual(joint[0].scalars["images_factorised"], 3)
        // Not joint: each image on its own.
        let separate = try DeepFeatureFactorization(params: TestModels.params(DeepFeatureFactorization.descriptor, ["concepts": .int(2)])).explainJointly(inputs, model: model)
        XCTAssertEqual(separate[1].scalars["images_factorised"], 1)
    }

    func testTooManyConceptsIsAParameterError() throws {
        let graph = TestModels.convNet(size: 4, channels: 4)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph))
        XCTAssertThrowsError(try DeepFeatureFactorization(params: TestModels.params(DeepFeatureFactorization.descriptor, ["concepts": .int(17)])).explain(input, model: model)) { e in
            XCTAssertTrue("\(e)".contains("concepts"), "\(e)")
        }
    }
}
