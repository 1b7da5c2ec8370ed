import XCTest
import XAICore
@testable import XAIMethods
@testable import XAIMetrics

final class MetricCatalogueTests: XCTestCase {
    func testEveryMetricHasConsistentParameters() throws {
        let all = MetricCatalogue.descriptors
        XCTAssertEqual(all.map(\.kind.rawValue), [
            "confidence_drop", "confidence_increase", "road", "deletion", "insertion", "aopc",
            "localisation", "sanity_randomization", "faithfulness_correlation", "sparseness", "max_sensitivity",
            "ig_completeness", "shap_efficiency",
        ])
        for d in all {
            XCTAssertFalse(d.summary.isEmpty, "\(d)")
            XCTAssertFalse(d.paper.isEmpty, "\(d)")
            let names = d.parameters.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "duplicate parameter in \(d)")
            for spec in d.parameters {
                XCTAssertEqual(try spec.normalize(spec.defaultValue), spec.defaultValue, "\(d).\(spec.name)")
                XCTAssertFalse(spec.doc.isEmpty, "\(d).\(spec.name)")
            }
        }
        XCTAssertEqual(all.filter { $0.version != 1 }.map { "\($0.kind)=\($0.version)" }, ["localisation=3"])
        XCTAssertEqual(all.filter(\.needsAnnotations).map(\.kind.rawValue), ["localisation"])
        XCTAssertEqual(Deletion.descriptor.parameters.first { $0.name == "steps" }?.defaultValue, .int(50))
        let aopc = AOPC.descriptor.parameters
        XCTAssertEqual(aopc.first { $0.name == "region" }?.defaultValue, .int(16))
        XCTAssertEqual(aopc.first { $0.name == "steps" }?.defaultValue, .int(50))
        XCTAssertEqual(aopc.first { $0.name == "value" }?.defaultValue, .string("noise"), "the paper's uniform noise")
    }

    /// Which way is better, as the report marks it; `mode: remove` turns the confidence metrics around.
    func testDirection() {
        let lower = MetricCatalogue.descriptors.filter { $0.direction(ResolvedParams()) == .lowerIsBetter }.map(\.kind.rawValue)
        XCTAssertEqual(lower, ["confidence_drop", "deletion", "sanity_randomization", "max_sensitivity",
                               "ig_completeness", "shap_efficiency"])
        XCTAssertTrue(MetricCatalogue.descriptors.allSatisfy { $0.direction(ResolvedParams()) != .neither })
        let remove = ResolvedParams(["mode": .string("remove")])
        XCTAssertEqual(ConfidenceDrop.descriptor.direction(remove), .higherIsBetter)
        XCTAssertEqual(ConfidenceIncrease.descriptor.direction(remove), .lowerIsBetter)
        XCTAssertEqual(ConfidenceDrop.descriptor.direction(ResolvedParams(["mode": .string("keep")])), .lowerIsBetter)
    }

    func testAppliesAndCurves() {
        XCTAssertTrue(IGCompleteness.descriptor.applies(to: IntegratedGradients.descriptor))
        XCTAssertFalse(IGCompleteness.descriptor.applies(to: GradCAM.descriptor))
        XCTAssertTrue(SHAPEfficiency.descriptor.applies(to: KernelSHAP.descriptor))
        XCTAssertFalse(Deletion.descriptor.applies(to: DeepDream.descriptor), "no metric applies to a synthesised picture")
        XCTAssertTrue(Deletion.descriptor.applies(to: Deconvnet.descriptor))
        XCTAssertEqual(MetricCatalogue.descriptors.filter { $0.curve != nil }.map(\.kind.rawValue), ["road", "deletion", "insertion", "aopc"])
        XCTAssertEqual(Insertion.descriptor.curve, MetricDescriptor.Curve(x: "fraction of pixels inserted", y: "target probability"))
        XCTAssertEqual(Localisation.descriptor.secondaryValues, ["pointing_game", "energy_pointing_game"])
    }
}
