import XCTest
import XAICore
@testable import XAIMethods

final class MethodCatalogueTests: XCTestCase {
    func testEveryMethodHasConsistentParameters() throws {
        XCTAssertEqual(MethodCatalogue.descriptors.count, 24)
        XCTAssertEqual(Set(MethodCatalogue.descriptors.map(\.kind)).count, 24, "one descriptor per name")
        for kind in MethodCatalogue.descriptors {
            let names = kind.parameters.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "duplicate parameter in \(kind)")
            XCTAssertTrue(names.contains("colormap") && names.contains("overlay_alpha"), "\(kind)")
            XCTAssertFalse(kind.summary.isEmpty)
            XCTAssertFalse(kind.paper.isEmpty)
            XCTAssertGreaterThanOrEqual(kind.version, 1)
            for spec in kind.parameters {
                // Each default must pass its own validation unchanged (it is already canonical).
                XCTAssertEqual(try spec.normalize(spec.defaultValue), spec.defaultValue, "\(kind).\(spec.name)")
                XCTAssertFalse(spec.doc.isEmpty, "\(kind).\(spec.name)")
            }
        }
        let wrapping = try XCTUnwrap(SmoothGrad.descriptor.wrapping)
        XCTAssertEqual(wrapping.bases.map(\.kind.rawValue), ["saliency", "integrated_gradients", "guided_backprop"])
        XCTAssertEqual(wrapping.defaultBase, Saliency.descriptor)
        for base in wrapping.bases {
            let names = SmoothGrad.descriptor.parameters(wrapping: base).map(\.name)
            XCTAssertEqual(Set(names).count, names.count)
        }
        // smoothgrad's own `batch` wins over integrated gradients'.
        let sgIG = SmoothGrad.descriptor.parameters(for: ResolvedParams(["base": .string("integrated_gradients")]))
        XCTAssertEqual(sgIG.first { $0.name == "batch" }?.defaultValue, .int(16))
        XCTAssertTrue(sgIG.contains { $0.name == "steps" })
        XCTAssertFalse(SmoothGrad.descriptor.parameters.contains { $0.name == "steps" })
    }

    /// Each descriptor's traits, which the loader, planner, bench and gallery act on.
    func testTraits() {
        let d = MethodCatalogue.descriptors
        XCTAssertEqual(d.filter(\.needsTargetLayer).map(\.kind.rawValue),
                       ["cam", "gradcam", "gradcam_plus_plus", "hirescam", "guided_gradcam", "scorecam", "dff", "deepdream"])
        XCTAssertEqual(d.filter { !$0.usesTarget }.map(\.kind.rawValue), ["dff", "deepdream"])
        XCTAssertEqual(d.filter { !$0.producesAttributionMap }.map(\.kind.rawValue), ["activation_maximization", "deepdream"])
        XCTAssertEqual(d.filter(\.slow).map(\.kind.rawValue),
                       ["integrated_gradients", "gradient_shap", "deep_shap", "occlusion", "lime", "kernel_shap", "rise", "anchors", "extremal_perturbation", "meaningful_perturbation"])
        XCTAssertEqual(d.filter { $0.wrapping != nil }.map(\.kind.rawValue), ["smoothgrad"])
        XCTAssertEqual(d.compactMap(\.jointParameter), ["joint"])
        XCTAssertTrue(DeepFeatureFactorization.descriptor.isJoint(ResolvedParams(["joint": .bool(true)])))
        XCTAssertFalse(DeepFeatureFactorization.descriptor.isJoint(ResolvedParams(["joint": .bool(false)])))
        XCTAssertEqual(DeepFeatureFactorization.descriptor.displayParametersUsed, ["overlay_alpha"])
        XCTAssertEqual(d.compactMap(\.classParameter), ["class"])
        // Which layer parameter a run reads.
        XCTAssertEqual(GradCAM.descriptor.layerParameter(ResolvedParams()), "target_layer")
        XCTAssertEqual(DeepDream.descriptor.layerParameter(ResolvedParams()), "layer")
        XCTAssertNil(Occlusion.descriptor.layerParameter(ResolvedParams()))
        let am = ActivationMaximization.descriptor
        XCTAssertNil(am.layerParameter(ResolvedParams(specs: am.parameters, given: [:])))
        XCTAssertEqual(am.layerParameter(ResolvedParams(specs: am.parameters, given: ["target": .string("channel")])), "layer")
        // Versions bumped on purpose (cache keys depend on them).
        XCTAssertEqual(d.filter { $0.version != 1 }.map { "\($0.kind)=\($0.version)" },
                       ["lime=3", "kernel_shap=3", "anchors=4", "extremal_perturbation=3"])
    }

    func testDefaultsFromTheIssues() throws {
        func d(_ k: any Explainer.Type, _ p: String) -> ParamValue? { k.descriptor.parameter(named: p)?.defaultValue }
        XCTAssertEqual(d(Saliency.self, "reduce"), .string("max_abs"))
        XCTAssertEqual(d(IntegratedGradients.self, "baseline"), .string("black"))
        XCTAssertEqual(d(IntegratedGradients.self, "steps"), .int(50))
        XCTAssertEqual(d(IntegratedGradients.self, "rule"), .string("gauss_legendre"))
        XCTAssertEqual(d(IntegratedGradients.self, "batch"), .int(16))
        XCTAssertEqual(d(GradientSHAP.self, "baselines"), .string("uniform"))
        XCTAssertEqual(d(GradientSHAP.self, "samples"), .int(50))
        XCTAssertEqual(d(GradientSHAP.self, "stdevs"), .double(0))
        XCTAssertEqual(d(GradientSHAP.self, "layer"), .string(""))
        XCTAssertEqual(d(GradientSHAP.self, "reduce"), .string("signed_sum"))
        XCTAssertEqual(d(DeepLIFT.self, "baseline"), .string("black"))
        XCTAssertEqual(d(DeepLIFT.self, "batch"), .int(8))
        XCTAssertEqual(d(DeepSHAP.self, "baselines"), .string("uniform"))
        XCTAssertEqual(d(DeepSHAP.self, "samples"), .int(16))
        XCTAssertEqual(d(SmoothGrad.self, "base"), .string("saliency"))
        XCTAssertEqual(d(SmoothGrad.self, "noise"), .double(0.15))
        XCTAssertEqual(d(SmoothGrad.self, "samples"), .int(25))
        XCTAssertEqual(d(DeepFeatureFactorization.self, "concepts"), .int(4))
        XCTAssertEqual(d(DeepFeatureFactorization.self, "iterations"), .int(200))
        XCTAssertEqual(d(Occlusion.self, "window"), .int(16))
        XCTAssertEqual(d(Occlusion.self, "stride"), .int(8))
        XCTAssertEqual(d(Occlusion.self, "value"), .string("gray"))
        XCTAssertEqual(d(Occlusion.self, "score"), .string("probability"))
        XCTAssertEqual(d(Occlusion.self, "batch"), .int(32))
        XCTAssertEqual(d(LIME.self, "samples"), .int(1000))
        XCTAssertEqual(d(LIME.self, "kernel_width"), .double(0.25))
        XCTAssertEqual(d(LIME.self, "hide"), .string("mean"))
        XCTAssertEqual(d(LIME.self, "alpha"), .double(1.0))
        XCTAssertEqual(d(LIME.self, "features"), .int(5))
        XCTAssertEqual(d(LIME.self, "segmentation"), .string("quickshift"))
        XCTAssertEqual(d(LIME.self, "kernel_size"), .double(4))
        XCTAssertEqual(d(LIME.self, "max_dist"), .double(200))
        XCTAssertEqual(d(Anchors.self, "n_segments"), .int(100))
        XCTAssertEqual(d(KernelSHAP.self, "samples"), .string("auto"))
        XCTAssertEqual(d(RISE.self, "masks"), .int(4000))
        XCTAssertEqual(d(RISE.self, "cells"), .int(7))
        XCTAssertEqual(d(RISE.self, "p"), .double(0.5))
        XCTAssertEqual(d(Anchors.self, "precision"), .double(0.95))
        XCTAssertEqual(d(Anchors.self, "batch"), .int(100))
        XCTAssertEqual(d(Anchors.self, "coverage_samples"), .int(10_000))
        XCTAssertEqual(d(ExtremalPerturbation.self, "area"), .double(0.1))
        XCTAssertEqual(d(GradCAM.self, "colormap"), .string("jet"))
        XCTAssertEqual(d(GradCAM.self, "overlay_alpha"), .double(0.5))
        XCTAssertTrue(GradCAM.descriptor.needsTargetLayer)
        XCTAssertFalse(Occlusion.descriptor.needsTargetLayer)
        XCTAssertEqual(DeepFeatureFactorization.descriptor.family, .factorisation)
    }

    func testNormalizeAndResolvedParams() throws {
        let window = try XCTUnwrap(Occlusion.descriptor.parameter(named: "window"))
        XCTAssertEqual(try window.normalize(.list([.int(8), .int(8)])), .int(8))
        XCTAssertEqual(try window.normalize(.list([.int(8), .int(4)])), .list([.int(8), .int(4)]))
        XCTAssertEqual(try window.normalize(.double(8)), .int(8))
        XCTAssertThrowsError(try window.normalize(.double(8.5)))
        let kw = try XCTUnwrap(LIME.descriptor.parameter(named: "kernel_width"))
        XCTAssertEqual(try kw.normalize(.int(1)), .double(1))
        XCTAssertThrowsError(try kw.normalize(.int(0)))
        let baseline = try XCTUnwrap(IntegratedGradients.descriptor.parameter(named: "baseline"))
        XCTAssertEqual(try baseline.normalize(.int(0)), .double(0))
        XCTAssertThrowsError(try baseline.normalize(.string("blck"))) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'black'"), "\(e)")
        }

        var p = ResolvedParams(specs: Occlusion.descriptor.parameters, given: ["window": .list([.int(8), .int(4)])])
        XCTAssertEqual(p.canonicalString, "batch=32,colormap=jet,overlay_alpha=0.5,precision=fp32,score=probability,stride=8,value=gray,window=[8,4]")
        XCTAssertEqual(p.canonicalString(keys: ["window", "stride"]), "stride=8,window=[8,4]")
        XCTAssertTrue(try p.intPair("window") == (8, 4))
        XCTAssertTrue(try p.intPair("stride") == (8, 8))
        XCTAssertEqual(p.computeOnly(Occlusion.descriptor.parameters).keys, ["batch", "precision", "score", "stride", "value", "window"])
        XCTAssertThrowsError(try p.int("value"))
        XCTAssertThrowsError(try p.int("nothing"))
        p["stride"] = .int(4)
        XCTAssertEqual(try p.int("stride"), 4)

        // With .sortedKeys the JSON is canonical; decoding restores doubles through the specs.
        let lime = ResolvedParams(specs: LIME.descriptor.parameters, given: [:])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(lime)
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\"alpha\":1"), text)
        let back = try JSONDecoder().decode(ResolvedParams.self, from: json).normalized(with: LIME.descriptor.parameters)
        XCTAssertEqual(back, lime)
    }

    func testEditDistance() {
        XCTAssertEqual(EditDistance.distance("kitten", "sitting"), 3)
        XCTAssertEqual(EditDistance.distance("tiny", "tiyn"), 1, "a swap counts once")
        XCTAssertEqual(EditDistance.suggestion(for: "gradcm", among: MethodCatalogue.descriptors.map(\.kind.rawValue)), "gradcam")
        XCTAssertEqual(EditDistance.suggestion(for: "IG", among: ["integrated_gradients"]), nil)
        XCTAssertEqual(EditDistance.suggestion(for: "integrated", among: ["integrated_gradients", "saliency"]), "integrated_gradients")
    }
}
