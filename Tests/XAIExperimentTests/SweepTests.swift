import XCTest
@testable import XAIExperiment
import XAICore

final class SweepTests: XCTestCase {
    private let head = """
        name: s
        model: tiny
        images: images/a.png
        methods:
          gradcam: {}
          integrated_gradients: {steps: 64}
          occlusion: {window: 16, stride: 8}
          occlusion-blur: {method: occlusion, value: blur}

        """

    func testGridRangeAndIds() throws {
        let fx = try Fixture()
        let e = try fx.load(head + """
            sweep:
              integrated_gradients.steps: [16, 32]
              occlusion.window: {range: [8, 40, 8]}
              occlusion.stride: [4, 8]
            """)
        XCTAssertEqual(e.runs.map(\.id), [
            "gradcam",
            "integrated_gradients@steps=16", "integrated_gradients@steps=32",
            "occlusion@stride=4,window=8", "occlusion@stride=8,window=8",
            "occlusion@stride=4,window=16", "occlusion@stride=8,window=16",
            "occlusion@stride=4,window=24", "occlusion@stride=8,window=24",
            "occlusion@stride=4,window=32", "occlusion@stride=8,window=32",
            "occlusion-blur",
        ], "range stop is excluded; the first key varies slowest; ids list the swept parameters sorted")
        let run = e.runs[4]
        XCTAssertEqual(run.instance, "occlusion")
        XCTAssertEqual(run.sweep, ResolvedParams(["stride": .int(8), "window": .int(8)]))
        XCTAssertEqual(try run.params.int("window"), 8)
        XCTAssertEqual(try run.params.string("value"), "gray", "instance values and defaults stay")
        XCTAssertEqual(e.method(named: "occlusion")?.sweptParams, ["stride", "window"])
        XCTAssertEqual(e.method(named: "gradcam")?.sweptParams, [])
        XCTAssertEqual(e.sweeps.count, 3)
        XCTAssertEqual(Set(e.runs.map(\.id)).count, e.runs.count)
        XCTAssertEqual(e.location("sweep.occlusion.window").line, 11)
    }

    func testZipPairsLists() throws {
        let fx = try Fixture()
        let e = try fx.load(head + """
            sweep:
              zip:
                occlusion.window: [8, [16, 8], 32]
                occlusion.stride: [4, 8, 16]
              integrated_gradients.baseline: {range: [0.1, 0.4, 0.1]}
            """)
        XCTAssertEqual(e.runs.filter { $0.instance == "occlusion" }.map(\.id),
                       ["occlusion@stride=4,window=8", "occlusion@stride=8,window=[16,8]", "occlusion@stride=16,window=32"])
        XCTAssertEqual(e.runs.filter { $0.instance == "integrated_gradients" }.map(\.id),
                       ["integrated_gradients@baseline=0.1", "integrated_gradients@baseline=0.2", "integrated_gradients@baseline=0.3"],
                       "float ranges are rounded so 0.1 + 2 * 0.1 prints as 0.3")
        XCTAssertEqual(e.sweeps.first?.params, ["window", "stride"])
    }

    func testSweepErrors() throws {
        let fx = try Fixture()
        let d = try fx.diagnostics(head + """
            sweep:
              occlusoin.window: [8]
              occlusion.windw: [8]
              occlusion.window: [8, 8, 0]
              gradcam: [1]
              integrated_gradients.steps: {range: [10, 5]}
              integrated_gradients.rule: []
              zip:
                occlusion-blur.window: [8, 16]
                occlusion-blur.stride: [4]
            """)
        XCTAssertEqual(d.map(short), [
            "exp.yaml:10:3: sweep key 'occlusoin.window': no method instance 'occlusoin'; did you mean 'occlusion'?",
            "exp.yaml:11:3: sweep key 'occlusion.windw': occlusion has no parameter 'windw'; did you mean 'window'?",
            "exp.yaml:12:25: sweep occlusion.window: the value 8 appears twice",
            "exp.yaml:12:28: sweep occlusion.window: 0 is out of range; expected an integer [1, 4096]",
            "exp.yaml:13:3: sweep keys are INSTANCE.PARAM (e.g. occlusion.window), got 'gradcam'",
            "exp.yaml:14:39: sweep integrated_gradients.steps: the range is empty (stop is excluded: [start, stop, step] gives start, start+step, ... below stop)",
            "exp.yaml:15:30: sweep integrated_gradients.rule: the list of values is empty",
            "exp.yaml:17:5: `zip` lists must have equal lengths: occlusion-blur.window has 2, occlusion-blur.stride has 1",
        ])
        let mixed = try fx.diagnostics(head + """
            sweep:
              occlusion.window: [8, 16]
              zip: {occlusion.window: [4], gradcam.relu: [true]}
            """)
        XCTAssertEqual(mixed.map(short), [
            "exp.yaml:11:9: 'occlusion.window' is swept twice (also at line 10)",
        ])
        let pair = try fx.diagnostics(head + "sweep:\n  zip: {occlusion.window: [4], gradcam.relu: [true]}\n")
        XCTAssertEqual(pair.map(short), [
            "exp.yaml:10:32: a `zip` group pairs parameters of one method instance; 'gradcam.relu' belongs to 'gradcam', not 'occlusion'",
        ])
    }

    func testSmoothgradSweepsBaseParameters() throws {
        let fx = try Fixture()
        let e = try fx.load("""
            model: tiny
            images: images/a.png
            methods: {smoothgrad: {base: integrated_gradients}}
            sweep: {smoothgrad.steps: [4, 8], smoothgrad.samples: [2]}
            """)
        XCTAssertEqual(e.runs.map(\.id), ["smoothgrad@samples=2,steps=4", "smoothgrad@samples=2,steps=8"])
        let bad = try fx.diagnostics("""
            model: tiny
            images: images/a.png
            methods: {smoothgrad: {}}
            sweep: {smoothgrad.steps: [4, 8]}
            """)
        XCTAssertEqual(bad.map(short), ["exp.yaml:4:27: 'steps' is not a parameter of smoothgrad with base saliency"])
    }
}
