import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// The CAM family against hand formulas.
final class CAMMethodTests: XCTestCase {
    private let raw: [String: ParamValue] = ["relu": .bool(false), "normalize": .string("none")]

    /// Activations and d(logit[target])/d(activations) at `layer`, item 0, channel-major.
    private func activationsAndGradients(_ model: ModelContext, _ input: ExplanationInput, _ layer: String) throws -> ([Float], [Float], [Int]) {
        let engine = model.engine
        let acts = try engine.forward(input.input, retain: .all)
        var seed = Tensor(zeros: [1, engine.classCount])
        seed.data[input.target] = 1
        let g = try engine.gradients(acts, seeds: [engine.outputName: seed], wrt: [layer])[layer]!
        return (acts[layer]!.data, g.data, engine.shape(of: layer)!)
    }

    func testGradCAMEqualsHandFormula() throws {
        let graph = TestModels.convNet(size: 8, channels: 6, classes: 4)
        let model = try TestModels.context(graph)
        for target in 0..<4 {
            let input = TestModels.input(TestModels.image(for: graph, seed: UInt64(target)), target: target)
            let (a, g, shape) = try activationsAndGradients(model, input, TestModels.featureLayer)
            let (c, p) = (shape[0], shape[1] * shape[2])
            let weights = (0..<c).map { ch in (0..<p).reduce(Float(0)) { $0 + g[ch * p + $1] } / Float(p) }
            let hand = (0..<p).map { i in max(0, (0..<c).reduce(Float(0)) { $0 + weights[$1] * a[$1 * p + i] }) }
            let e = try GradCAM(params: TestModels.params(GradCAM.descriptor, ["normalize": .string("none")])).explain(input, model: model)
            let diff = maxDifference(e.lowResolution!.data, hand)
            print("Grad-CAM vs hand formula, target \(target): max diff \(diff)")
            XCTAssertLessThan(diff, 1e-5)
            XCTAssertEqual(e.map.shape, [8, 8])
            XCTAssertEqual(e.lowResolution!.shape, [shape[1], shape[2]])
        }
    }

    func testCAMEqualsClassifierWeightsTimesActivationsAndGradCAMIsItsScaledCopy() throws {
        let graph = TestModels.convNet(size: 8, channels: 5, classes: 3)
        let model = try TestModels.context(graph)
        let fc = graph.constants["fc.W"]!
        for target in 0..<3 {
            let input = TestModels.input(TestModels.image(for: graph, seed: 20 + UInt64(target)), target: target)
            let a = try TestModels.activations(model.engine, input.input, [TestModels.featureLayer])[TestModels.featureLayer]!
            let (c, p) = (a.shape[1], a.shape[2] * a.shape[3])
            let hand = (0..<p).map { i in (0..<c).reduce(Float(0)) { $0 + fc.data[target * c + $1] * a.data[$1 * p + i] } }
            let cam = try CAM(params: TestModels.params(CAM.descriptor, raw)).explain(input, model: model)
            let diff = maxDifference(cam.lowResolution!.data, hand)
            print("CAM vs fc weights x activations, target \(target): max diff \(diff)")
            XCTAssertLessThan(diff, 1e-5)
            // With a GAP + linear head the gradient at the layer is W[target, c] / (h w) everywhere,
            // so Grad-CAM and HiResCAM are CAM / (h w).
            for m in [try GradCAM(params: TestModels.params(GradCAM.descriptor, raw)), try HiResCAM(params: TestModels.params(HiResCAM.descriptor, raw))] as [any Explainer] {
                let e = try m.explain(input, model: model)
                let d = maxDifference(e.lowResolution!.data, hand.map { $0 / Float(p) })
                print("\(type(of: m).kind.rawValue) vs CAM / (h w): max diff \(d)")
                XCTAssertLessThan(d, 1e-5)
            }
        }
    }

    func testCAMRejectsModelsWithoutPoolLinearHead() throws {
        // Target layer "block1" feeds a conv, not a global average pool.
        let graph = TestModels.convNet()
        let model = try TestModels.context(graph, targetLayer: TestModels.firstLayer)
        let input = TestModels.input(TestModels.image(for: graph))
        XCTAssertThrowsError(try CAM(params: ResolvedParams()).explain(input, model: model)) { e in
            guard case MethodError.unsuitableModel? = e as? MethodError else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("gradcam"), "\(e)")
        }
        // The linear model has no feature map at all.
        let (linear, _) = TestModels.linear()
        let lm = try TestModels.context(linear, targetLayer: "flat")
        XCTAssertThrowsError(try CAM(params: ResolvedParams()).explain(TestModels.input(TestModels.image(for: linear)), model: lm)) { e in
            XCTAssertTrue("\(e)".contains("feature map"), "\(e)")
        }
    }

    func testGradCAMPlusPlusEqualsHandFormula() throws {
        let graph = TestModels.smoothNet(size: 8, channels: 5, classes: 3)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 2)
        let (a, g, shape) = try activationsAndGradients(model, input, TestModels.featureLayer)
        let (c, p) = (shape[0], shape[1] * shape[2])
        var weights = [Double](repeating: 0, count: c)
        for ch in 0..<c {
            let sumA = (0..<p).reduce(0.0) { $0 + Double(a[ch * p + $1]) }
            for i in 0..<p {
                let gi = Double(g[ch * p + i])
                guard gi != 0 else { continue }
                let alpha = gi * gi / (2 * gi * gi + sumA * gi * gi * gi)
                weights[ch] += alpha * max(gi, 0)
            }
        }
        let hand = (0..<p).map { i in Float((0..<c).reduce(0.0) { $0 + weights[$1] * Double(a[$1 * p + i]) }) }
        let e = try GradCAMPlusPlus(params: TestModels.params(GradCAMPlusPlus.descriptor, raw)).explain(input, model: model)
        let scale = hand.map(abs).max()!
        let diff = maxDifference(e.lowResolution!.data, hand)
        print("Grad-CAM++ vs hand formula: max diff \(diff) (map scale \(scale))")
        XCTAssertLessThan(diff, 1e-5 * max(1, scale))
    }

    func testScoreCAMWeightsAreClassProbabilitiesOfMaskedInputs() throws {
        let graph = TestModels.convNet(size: 8, channels: 4, classes: 3)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 1)
        let a = try TestModels.activations(model.engine, input.input, [TestModels.featureLayer])[TestModels.featureLayer]!
        let (c, h, w) = (a.shape[1], a.shape[2], a.shape[3])
        var hand = [Float](repeating: 0, count: h * w)
        for k in 0..<c {
            let channel = Array(a.data[(k * h * w)..<((k + 1) * h * w)])
            var up = MapResize.bilinear(channel, h: h, w: w, toH: 8, toW: 8)
            let (lo, hi) = (up.min()!, up.max()!)
            up = up.map { hi > lo ? ($0 - lo) / (hi - lo) : 0 }
            let masked = Tensor(shape: [1, 3, 8, 8], data: input.input.data.enumerated().map { $0.element * up[$0.offset % 64] })
            let logits = try model.engine.logits(masked).data
            let e = logits.map { exp(Double($0 - logits.max()!)) }
            let prob = Float(e[1] / e.reduce(0, +))
            for i in 0..<(h * w) { hand[i] += prob * channel[i] }
        }
        hand = hand.map { max($0, 0) }
        let e = try ScoreCAM(params: TestModels.params(ScoreCAM.descriptor, ["normalize": .string("none"), "batch": .int(3)])).explain(input, model: model)
        let diff = maxDifference(e.lowResolution!.data, hand)
        print("Score-CAM vs hand computation: max diff \(diff)")
        XCTAssertLessThan(diff, 1e-5)
    }

    func testScoreCAMReusesCachedMaskLogits() throws {
        final class MemoryCache: IntermediateCache, @unchecked Sendable {
            var store: [String: Tensor] = [:]
            var loads = 0, hits = 0
            func load(_ key: String) -> Tensor? { loads += 1; if let t = store[key] { hits += 1; return t }; return nil }
            func store(_ key: String, _ value: Tensor) { store[key] = value }
        }
        let cache = MemoryCache()
        let graph = TestModels.convNet()
        let model = try TestModels.context(graph, cache: cache)
        let image = TestModels.image(for: graph)
        let m = try ScoreCAM(params: ResolvedParams())
        let first = try m.explain(TestModels.input(image, target: 0), model: model)
        let again = try m.explain(TestModels.input(image, target: 0), model: model)
        _ = try m.explain(TestModels.input(image, target: 2), model: model)
        XCTAssertEqual(first.map, again.map)
        XCTAssertEqual(cache.hits, 2)
    }

    func testGuidedGradCAMIsGuidedBackpropTimesUpsampledGradCAM() throws {
        let graph = TestModels.convNet()
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 3)
        let gradcam = try GradCAM(params: ResolvedParams()).explain(input, model: model)
        let (guided, _) = try GuidedBackprop(params: ResolvedParams()).attributions(of: input.input, for: input, model: model)
        let plane = 64
        let product = Tensor(shape: guided.shape, data: guided.data.enumerated().map { $0.element * gradcam.map.data[$0.offset % plane] })
        let expected = ChannelReduction.maxAbs.apply(product)
        let e = try GuidedGradCAM(params: ResolvedParams()).explain(input, model: model)
        let diff = maxDifference(e.map.data, expected.data)
        print("Guided Grad-CAM vs guided backprop x Grad-CAM: max diff \(diff)")
        XCTAssertLessThan(diff, 1e-6)
        XCTAssertEqual(e.lowResolution, gradcam.lowResolution)
    }

    func testReLUAndNormalisationOptions() throws {
        let graph = TestModels.convNet()
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 1)
        let minmax = try GradCAM(params: ResolvedParams()).explain(input, model: model)
        XCTAssertEqual(minmax.lowResolution!.minValue, 0, accuracy: 1e-7)
        XCTAssertEqual(minmax.lowResolution!.maxValue, 1, accuracy: 1e-6)
        XCTAssertTrue(minmax.map.data.allSatisfy { $0 >= -1e-7 && $0 <= 1 + 1e-6 })
        let none = try GradCAM(params: TestModels.params(GradCAM.descriptor, raw)).explain(input, model: model)
        let peak = none.lowResolution!.data.map(abs).max()!
        let maxNorm = try GradCAM(params: TestModels.params(GradCAM.descriptor, ["relu": .bool(false), "normalize": .string("max")])).explain(input, model: model)
        XCTAssertLessThan(maxDifference(maxNorm.lowResolution!.data, none.lowResolution!.data.map { $0 / peak }), 1e-6)
        // The upsampled map is the bilinear enlargement of the low-resolution one.
        let up = MapResize.bilinear(none.lowResolution!.data, h: 8, w: 8, toH: 8, toW: 8)
        XCTAssertLessThan(maxDifference(up, none.map.data), 1e-6)
    }

    func testTargetLayerErrors() throws {
        let graph = TestModels.convNet()
        let noLayer = try TestModels.context(graph, targetLayer: nil)
        let input = TestModels.input(TestModels.image(for: graph))
        XCTAssertThrowsError(try GradCAM(params: ResolvedParams()).explain(input, model: noLayer)) { e in
            XCTAssertTrue("\(e)".contains("target_layer") && "\(e)".contains("features"), "\(e)")
        }
        let model = try TestModels.context(graph)
        XCTAssertThrowsError(try GradCAM(params: TestModels.params(GradCAM.descriptor, ["target_layer": .string("featurez")])).explain(input, model: model)) { e in
            XCTAssertTrue("\(e)".contains("target_layer"), "\(e)")
        }
        // A unique prefix resolves.
        XCTAssertNoThrow(try GradCAM(params: TestModels.params(GradCAM.descriptor, ["target_layer": .string("feat")])).explain(input, model: model))
    }

    func testGradCAMOnEmbeddedModelAtHeadEqualsHandFormula() throws {
        let model = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        let (a, g, shape) = try activationsAndGradients(model, input, "head")
        let (c, p) = (shape[0], shape[1] * shape[2])
        let weights = (0..<c).map { ch in (0..<p).reduce(0.0) { $0 + Double(g[ch * p + $1]) } / Double(p) }
        let hand = (0..<p).map { i in Float(max(0, (0..<c).reduce(0.0) { $0 + weights[$1] * Double(a[$1 * p + i]) })) }
        let e = try GradCAM(params: TestModels.params(GradCAM.descriptor, ["normalize": .string("none")])).explain(input, model: model)
        let diff = maxDifference(e.lowResolution!.data, hand)
        print("efficientnet-lite0 Grad-CAM at head vs hand formula: max diff \(diff), map max \(hand.max()!)")
        XCTAssertLessThan(diff, 1e-5 * max(1, hand.max()!))
        XCTAssertEqual(e.map.shape, [224, 224])
        // CAM = fc weights x activations (the embedded head is GAP -> Flatten -> Gemm).
        let cam = try CAM(params: TestModels.params(CAM.descriptor, raw)).explain(input, model: model)
        let camByGradCAM = try GradCAM(params: TestModels.params(GradCAM.descriptor, raw)).explain(input, model: model)
        let d2 = maxDifference(cam.lowResolution!.data, camByGradCAM.lowResolution!.data.map { $0 * Float(p) })
        print("efficientnet-lite0 CAM vs 49 x Grad-CAM (GAP-linear head): max diff \(d2)")
        XCTAssertLessThan(d2, 1e-4 * max(1, cam.lowResolution!.data.map(abs).max()!))
    }
}
