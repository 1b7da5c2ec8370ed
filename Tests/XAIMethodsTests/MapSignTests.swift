import XCTest
import XAICore
@testable import XAIMethods

/// Whether a map is signed is a trait of the method and its parameters (the descriptor's
/// `mapSign`), which the gallery reads to pick a diverging colour map. These tests pin the
/// trait for the parameters it depends on, and check it against real maps: a map with negative
/// values from a method that claims an unsigned map would be drawn on the wrong scale.
final class MapSignTests: XCTestCase {
    private func signed(_ d: MethodDescriptor, _ given: [String: ParamValue] = [:]) -> Bool {
        d.mapIsSigned(TestModels.params(d, given))
    }

    func testTraitFollowsTheParametersThatDecideIt() {
        XCTAssertTrue(signed(IntegratedGradients.descriptor))
        XCTAssertFalse(signed(IntegratedGradients.descriptor, ["reduce": .string("max_abs")]))
        XCTAssertTrue(signed(DeepLIFT.descriptor))
        XCTAssertTrue(signed(DeepSHAP.descriptor))
        XCTAssertFalse(signed(DeepSHAP.descriptor, ["reduce": .string("l2")]))
        XCTAssertFalse(signed(Saliency.descriptor))
        XCTAssertFalse(signed(GuidedGradCAM.descriptor))
        // CAMs: the papers' ReLU, or a min-max shift, leaves no sign.
        XCTAssertFalse(signed(GradCAM.descriptor))
        XCTAssertFalse(signed(GradCAM.descriptor, ["relu": .bool(false)]))
        XCTAssertTrue(signed(GradCAM.descriptor, ["relu": .bool(false), "normalize": .string("none")]))
        XCTAssertTrue(signed(ScoreCAM.descriptor, ["relu": .bool(false), "normalize": .string("max")]))
        // SmoothGrad inherits its base's sign unless it squares.
        XCTAssertFalse(signed(SmoothGrad.descriptor))
        XCTAssertTrue(signed(SmoothGrad.descriptor, ["base": .string("integrated_gradients")]))
        XCTAssertFalse(signed(SmoothGrad.descriptor, ["base": .string("integrated_gradients"), "squared": .bool(true)]))
        // Gradient SHAP at a layer averages channels, keeping the sign whatever `reduce` says.
        XCTAssertFalse(signed(GradientSHAP.descriptor, ["reduce": .string("max_abs")]))
        XCTAssertTrue(signed(GradientSHAP.descriptor, ["reduce": .string("max_abs"), "layer": .string("features")]))
        for d in [LIME.descriptor, KernelSHAP.descriptor, Occlusion.descriptor] { XCTAssertTrue(signed(d), d.description) }
        for d in [RISE.descriptor, Anchors.descriptor, ExtremalPerturbation.descriptor, MeaningfulPerturbation.descriptor] {
            XCTAssertFalse(signed(d), d.description)
        }
    }

    /// Runs each case on the tiny CNN: an unsigned trait must come with a map without negative
    /// values, and the signed cases here do produce negative values (so the trait matters).
    func testMapsAgreeWithTheTrait() throws {
        let graph = TestModels.convNet(size: 8, channels: 5, classes: 3)
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph), target: 1)
        let cases: [(MethodDescriptor, [String: ParamValue])] = [
            (Saliency.descriptor, [:]),
            (IntegratedGradients.descriptor, ["steps": .int(8)]),
            (IntegratedGradients.descriptor, ["steps": .int(8), "reduce": .string("sum_abs")]),
            (GradCAM.descriptor, [:]),
            (GradCAM.descriptor, ["relu": .bool(false), "normalize": .string("none")]),
            (SmoothGrad.descriptor, ["base": .string("integrated_gradients"), "steps": .int(4), "samples": .int(4)]),
            (SmoothGrad.descriptor, ["base": .string("integrated_gradients"), "steps": .int(4), "samples": .int(4),
                                     "squared": .bool(true)]),
            (Occlusion.descriptor, ["window": .int(2), "stride": .int(2)]),
            (RISE.descriptor, ["masks": .int(64), "cells": .int(2)]),
        ]
        var signedWithNegatives = 0
        for (d, given) in cases {
            let params = TestModels.params(d, given)
            let e = try MethodCatalogue.make(d.kind, params: params).explain(input, model: model)
            let lowest = e.map.data.min() ?? 0
            print("\(d.kind.rawValue) \(given): signed \(d.mapIsSigned(params)), lowest value \(lowest)")
            if !d.mapIsSigned(params) { XCTAssertGreaterThanOrEqual(lowest, 0, "\(d.kind.rawValue) \(given)") }
            if d.mapIsSigned(params) && lowest < 0 { signedWithNegatives += 1 }
        }
        XCTAssertGreaterThanOrEqual(signedWithNegatives, 3, "the signed cases should show negative evidence on this model")
    }
}
