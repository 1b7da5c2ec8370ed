import XCTest
import XAICore

final class CatalogueTests: XCTestCase {
    func testEveryMethodHasConsistentParameters() throws {
        XCTAssertEqual(MethodKind.allCases.count, 19)
        for kind in MethodKind.allCases {
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
        for base in MethodKind.smoothgradBases {
            let names = MethodKind.smoothgrad.parameters(withBase: base).map(\.name)
            XCTAssertEqual(Set(names).count, names.count)
        }
        for metric in MetricKind.allCases {
            for spec in metric.parameters {
                XCTAssertEqual(try spec.normalize(spec.defaultValue), spec.defaultValue, "\(metric).\(spec.name)")
            }
        }
    }

    func testDefaultsFromTheIssues() throws {
        func d(_ k: MethodKind, _ p: String) -> ParamValue? { k.parameter(named: p)?.defaultValue }
        XCTAssertEqual(d(.saliency, "reduce"), .string("max_abs"))
        XCTAssertEqual(d(.integratedGradients, "baseline"), .string("black"))
        XCTAssertEqual(d(.integratedGradients, "steps"), .int(50))
        XCTAssertEqual(d(.integratedGradients, "rule"), .string("gauss_legendre"))
        XCTAssertEqual(d(.integratedGradients, "batch"), .int(16))
        XCTAssertEqual(d(.smoothgrad, "base"), .string("saliency"))
        XCTAssertEqual(d(.smoothgrad, "noise"), .double(0.15))
        XCTAssertEqual(d(.smoothgrad, "samples"), .int(25))
        XCTAssertEqual(d(.dff, "concepts"), .int(4))
        XCTAssertEqual(d(.dff, "iterations"), .int(200))
        XCTAssertEqual(d(.occlusion, "window"), .int(16))
        XCTAssertEqual(d(.occlusion, "stride"), .int(8))
        XCTAssertEqual(d(.occlusion, "value"), .string("gray"))
        XCTAssertEqual(d(.occlusion, "score"), .string("probability"))
        XCTAssertEqual(d(.occlusion, "batch"), .int(32))
        XCTAssertEqual(d(.lime, "samples"), .int(1000))
        XCTAssertEqual(d(.lime, "kernel_width"), .double(0.25))
        XCTAssertEqual(d(.lime, "hide"), .string("mean"))
        XCTAssertEqual(d(.lime, "alpha"), .double(1.0))
        XCTAssertEqual(d(.lime, "features"), .int(5))
        XCTAssertEqual(d(.lime, "segmentation"), .string("quickshift"))
        XCTAssertEqual(d(.lime, "kernel_size"), .double(4))
        XCTAssertEqual(d(.lime, "max_dist"), .double(200))
        XCTAssertEqual(d(.anchors, "n_segments"), .int(100))
        XCTAssertEqual(d(.kernelShap, "samples"), .string("auto"))
        XCTAssertEqual(d(.rise, "masks"), .int(4000))
        XCTAssertEqual(d(.rise, "cells"), .int(7))
        XCTAssertEqual(d(.rise, "p"), .double(0.5))
        XCTAssertEqual(d(.anchors, "precision"), .double(0.95))
        XCTAssertEqual(d(.anchors, "batch"), .int(100))
        XCTAssertEqual(d(.anchors, "coverage_samples"), .int(10_000))
        XCTAssertEqual(d(.extremalPerturbation, "area"), .double(0.1))
        XCTAssertEqual(d(.gradcam, "colormap"), .string("jet"))
        XCTAssertEqual(d(.gradcam, "overlay_alpha"), .double(0.5))
        XCTAssertEqual(MetricKind.deletion.parameters.first { $0.name == "steps" }?.defaultValue, .int(50))
        XCTAssertTrue(MethodKind.gradcam.needsTargetLayer)
        XCTAssertFalse(MethodKind.occlusion.needsTargetLayer)
        XCTAssertEqual(MethodKind.dff.family, .factorisation)
        XCTAssertTrue(MetricKind.igCompleteness.applies(to: .integratedGradients))
        XCTAssertFalse(MetricKind.igCompleteness.applies(to: .gradcam))
        XCTAssertFalse(MetricKind.deletion.applies(to: .deepdream))
    }

    func testNormalizeAndResolvedParams() throws {
        let window = try XCTUnwrap(MethodKind.occlusion.parameter(named: "window"))
        XCTAssertEqual(try window.normalize(.list([.int(8), .int(8)])), .int(8))
        XCTAssertEqual(try window.normalize(.list([.int(8), .int(4)])), .list([.int(8), .int(4)]))
        XCTAssertEqual(try window.normalize(.double(8)), .int(8))
        XCTAssertThrowsError(try window.normalize(.double(8.5)))
        let kw = try XCTUnwrap(MethodKind.lime.parameter(named: "kernel_width"))
        XCTAssertEqual(try kw.normalize(.int(1)), .double(1))
        XCTAssertThrowsError(try kw.normalize(.int(0)))
        let baseline = try XCTUnwrap(MethodKind.integratedGradients.parameter(named: "baseline"))
        XCTAssertEqual(try baseline.normalize(.int(0)), .double(0))
        XCTAssertThrowsError(try baseline.normalize(.string("blck"))) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'black'"), "\(e)")
        }

        var p = ResolvedParams(specs: MethodKind.occlusion.parameters, given: ["window": .list([.int(8), .int(4)])])
        XCTAssertEqual(p.canonicalString, "batch=32,colormap=jet,overlay_alpha=0.5,score=probability,stride=8,value=gray,window=[8,4]")
        XCTAssertEqual(p.canonicalString(keys: ["window", "stride"]), "stride=8,window=[8,4]")
        XCTAssertTrue(try p.intPair("window") == (8, 4))
        XCTAssertTrue(try p.intPair("stride") == (8, 8))
        XCTAssertEqual(p.computeOnly(MethodKind.occlusion.parameters).keys, ["batch", "score", "stride", "value", "window"])
        XCTAssertThrowsError(try p.int("value"))
        XCTAssertThrowsError(try p.int("nothing"))
        p["stride"] = .int(4)
        XCTAssertEqual(try p.int("stride"), 4)

        // With .sortedKeys the JSON is canonical; decoding restores doubles through the specs.
        let lime = ResolvedParams(specs: MethodKind.lime.parameters, given: [:])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(lime)
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\"alpha\":1"), text)
        let back = try JSONDecoder().decode(ResolvedParams.self, from: json).normalized(with: MethodKind.lime.parameters)
        XCTAssertEqual(back, lime)
    }

    func testEditDistance() {
        XCTAssertEqual(EditDistance.distance("kitten", "sitting"), 3)
        XCTAssertEqual(EditDistance.distance("tiny", "tiyn"), 1, "a swap counts once")
        XCTAssertEqual(EditDistance.suggestion(for: "gradcm", among: MethodKind.allCases.map(\.rawValue)), "gradcam")
        XCTAssertEqual(EditDistance.suggestion(for: "IG", among: ["integrated_gradients"]), nil)
        XCTAssertEqual(EditDistance.suggestion(for: "integrated", among: ["integrated_gradients", "saliency"]), "integrated_gradients")
    }
}
