import XCTest
import XAICore
import XAIEngine
import XAIImaging
@testable import XAIMethods
import XAITestSupport

/// Model-parameter randomisation (Adebayo et al.): explanations must change when the trained
/// weights are replaced by random ones; and Spearman's rank correlation itself.
final class GradientSanityTests: XCTestCase {
    func testSpearman() {
        XCTAssertEqual(RankCorrelation.spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1, accuracy: 1e-12)
        XCTAssertEqual(RankCorrelation.spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        // Monotone transforms do not matter; ties get average ranks.
        XCTAssertEqual(RankCorrelation.spearman([1, 2, 3, 4, 5], [1, 8, 27, 64, 125]), 1, accuracy: 1e-12)
        XCTAssertEqual(RankCorrelation.ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])
        // Textbook example: d^2 sum 4 over n = 5 -> rho = 1 - 6*4/(5*24) = 0.8.
        XCTAssertEqual(RankCorrelation.spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 0.8, accuracy: 1e-12)
        XCTAssertEqual(RankCorrelation.spearman([1, 1, 1], [1, 2, 3]), 0)
    }

    func testCascadingRandomisationReplacesOnlyTheLastLayers() throws {
        let graph = TestModels.convNet()
        XCTAssertEqual(ModelRandomization.parametrisedLayers(graph), ["fc", "conv2", "conv1"])
        let one = try ModelRandomization.cascading(graph: graph, layers: 1, seed: 3)
        let fcIn = one.nodes.first { $0.name == "fc" }!.inputs
        XCTAssertNotEqual(one.constants[fcIn[1]], graph.constants["fc.W"])
        XCTAssertEqual(one.nodes.first { $0.name == "conv2" }!.inputs, graph.nodes.first { $0.name == "conv2" }!.inputs)
        let spread = ModelRandomization.spread(of: graph.constants["fc.W"]!, isWeight: true)
        XCTAssertEqual(ModelRandomization.spread(of: one.constants[fcIn[1]]!, isWeight: true), spread, accuracy: spread * 0.6)
        let again = try ModelRandomization.cascading(graph: graph, layers: 1, seed: 3)
        XCTAssertEqual(again.constants[fcIn[1]], one.constants[fcIn[1]], "same seed, same weights")
        XCTAssertThrowsError(try ModelRandomization.cascading(graph: graph, layers: -1, seed: 0))
    }

    func testGradCAMAndIntegratedGradientsChangeUnderRandomisation() throws {
        let graph = TestModels.convNet(size: 12, channels: 8, classes: 4, seed: 21)
        let trained = try TestModels.context(graph)
        let randomized = try TestModels.context(try ModelRandomization.cascading(graph: graph, layers: 3, seed: 99))
        let methods: [any Explainer] = [try GradCAM(params: ResolvedParams()),
                                        try IntegratedGradients(params: TestModels.params(IntegratedGradients.descriptor, ["steps": .int(16)]))]
        for m in methods {
            var rhos: [Double] = []
            for i in 0..<4 {
                let input = TestModels.input(TestModels.image(for: graph, seed: 100 + UInt64(i)), target: i % 4)
                let a = try m.explain(input, model: trained).map.data
                let b = try m.explain(input, model: randomized).map.data
                rhos.append(RankCorrelation.spearman(a, b))
            }
            let mean = rhos.reduce(0, +) / Double(rhos.count)
            print("\(type(of: m).kind.rawValue): Spearman trained vs randomised per image \(rhos), mean \(mean)")
            XCTAssertLessThan(mean, 0.5)
        }
    }
}

/// The same check on the embedded EfficientNet-Lite0 (release builds only: many passes).
final class GradientSanityEmbeddedTests: XCTestCase {
    func testEmbeddedModelMapsChangeWhenFinalLayersAreRandomised() throws {
        #if DEBUG
        throw XCTSkip("run in release: swift test -c release -Xswiftc -enable-testing")
        #endif
        let graph = try EmbeddedModel.graph()
        let trained = try EmbeddedModel.context()
        let layers = ModelRandomization.parametrisedLayers(graph)
        let randomizedGraph = try ModelRandomization.cascading(graph: graph, layers: 2, seed: 17)
        let randomized = ModelContext(engine: try Engine(graph: randomizedGraph), labels: trained.labels,
                                      preprocess: trained.preprocess, targetLayer: "head")
        let input = try EmbeddedModel.input()
        for m in [try GradCAM(params: ResolvedParams()) as any Explainer,
                  try IntegratedGradients(params: TestModels.params(IntegratedGradients.descriptor, ["steps": .int(16)]))] {
            let a = try m.explain(input, model: trained).map.data
            let b = try m.explain(input, model: randomized).map.data
            let rho = RankCorrelation.spearman(a, b)
            print("efficientnet-lite0 \(type(of: m).kind.rawValue), last 2 layers (\(layers.prefix(2).joined(separator: ", "))) randomised: Spearman \(rho)")
            XCTAssertLessThan(rho, 0.5)
        }
    }
}
