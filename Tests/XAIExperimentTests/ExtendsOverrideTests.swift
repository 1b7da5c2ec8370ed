import XCTest
import XAIMetrics
@testable import XAIExperiment
import XAICore

final class ExtendsOverrideTests: XCTestCase {
    func testExtendsDeepMergeChildWins() throws {
        let fx = try Fixture()
        try fx.write("shared/base.yaml", """
            model: tiny
            images: [images/a.png, images/b.png]
            seed: 3
            methods:
              occlusion: {window: 16, stride: 8, value: black}
            metrics: [deletion]
            """)
        try fx.write("exps/mid.yaml", "extends: ../shared/base.yaml\nseed: 4\n")
        try fx.write("exps/child.yaml", """
            extends: mid.yaml
            name: child
            images: [images/sub/c.jpg]
            methods:
              occlusion: {window: 32}
              gradcam: {}
            """)
        let e = try ExperimentLoader.load(path: fx.path("exps/child.yaml"), catalogue: .standard, baseDirectory: fx.root)
        XCTAssertEqual(e.name, "child")
        XCTAssertEqual(e.seed, 4, "the nearer file wins")
        XCTAssertEqual(e.images.map(\.id), ["c"], "lists are replaced, not concatenated")
        XCTAssertEqual(e.methods.map(\.name), ["occlusion", "gradcam"])
        let occ = try XCTUnwrap(e.method(named: "occlusion"))
        XCTAssertEqual(occ.params["window"], .int(32))
        XCTAssertEqual(occ.params["value"], .string("black"), "mappings merge key by key")
        XCTAssertEqual(e.metrics.map(\.id), ["deletion"])
        XCTAssertEqual(e.sourceFiles, [fx.path("exps/child.yaml"), fx.path("exps/mid.yaml"), fx.path("shared/base.yaml")])
        XCTAssertEqual(e.location("methods.occlusion.value").file, fx.path("shared/base.yaml"), "locations keep their file")
    }

    func testExtendsErrorsAreReportedInTheRightFile() throws {
        let fx = try Fixture()
        try fx.write("base.yaml", "model: tiny\nseed: nope\n")
        let d = try fx.diagnostics("extends: base.yaml\nimages: images/a.png\nmethods: {saliency: {}}\n")
        XCTAssertEqual(d.map(short), ["base.yaml:2:7: `seed` must be an integer, got 'nope'"])
        let missing = try fx.diagnostics("extends: [nowhere.yaml]\n")
        XCTAssertEqual(missing.count, 1)
        XCTAssertEqual(missing.first.map(short), "exp.yaml:1:11: file not found: '\(fx.path("nowhere.yaml"))'")
    }

    func testExtendsCycle() throws {
        let fx = try Fixture()
        try fx.write("a.yaml", "extends: b.yaml\nname: a\n")
        try fx.write("b.yaml", "model: tiny\nextends: a.yaml\n")
        do {
            _ = try ExperimentLoader.load(path: fx.path("a.yaml"), catalogue: .standard, baseDirectory: fx.root)
            XCTFail("cycle not detected")
        } catch let e as ExperimentError {
            XCTAssertEqual(e.diagnostics.map(short), ["b.yaml:2:10: `extends` cycle: \(fx.path("a.yaml")) -> \(fx.path("b.yaml")) -> \(fx.path("a.yaml"))"])
        }
        let selfCycle = try fx.diagnostics("extends: exp.yaml\n")
        XCTAssertEqual(selfCycle.map(short), ["exp.yaml:1:10: `extends` cycle: \(fx.path("exp.yaml")) -> \(fx.path("exp.yaml"))"])
    }

    func testSetOverrides() throws {
        let fx = try Fixture()
        let yaml = """
            name: o
            model: tiny
            images: images/a.png
            methods:
              integrated_gradients: {steps: 64}
              occlusion: {}
              gradcam:
            sweep:
              occlusion.window: [8, 16]
            """
        let e = try fx.load(yaml, overrides: ["integrated_gradients.steps=32", "seed=5", "methods.occlusion.window=24",
                                              "gradcam.relu=false", "name=other", "sweep.integrated_gradients.rule=[riemann_left, gauss_legendre]"])
        XCTAssertEqual(e.method(named: "integrated_gradients")?.params["steps"], .int(32))
        XCTAssertEqual(e.seed, 5)
        XCTAssertEqual(e.name, "other")
        XCTAssertEqual(e.method(named: "gradcam")?.params["relu"], .bool(false))
        XCTAssertEqual(e.runs.filter { $0.instance == "occlusion" }.map(\.id), ["occlusion"], "--set replaces the sweep of that parameter")
        XCTAssertEqual(e.method(named: "occlusion")?.params["window"], .int(24))
        XCTAssertEqual(e.runs.filter { $0.instance == "integrated_gradients" }.map(\.id),
                       ["integrated_gradients@rule=riemann_left", "integrated_gradients@rule=gauss_legendre"])
        XCTAssertEqual(e.overrides.count, 6)
        XCTAssertEqual(e.location("methods.integrated_gradients.steps"), SourceLocation(file: "--set", line: 1, column: 28))

        let d = try fx.diagnostics(yaml, overrides: ["integrated_gradients.steps=abc", "sed=1", "novalue", "occlusion.window=[1, 2, 3]", "seed=[1"])
        XCTAssertEqual(d.map(short), [
            "--set:1:28: integrated_gradients.steps: expected an integer [1, 100000], got a string 'abc'",
            "--set:2:1: unknown setting 'sed': not a top-level key nor a method instance of this experiment; did you mean 'seed'?",
            "--set:3:1: an override must look like KEY=VALUE (e.g. integrated_gradients.steps=32), got 'novalue'",
            "--set:4:18: occlusion.window: expected an integer or a pair [h, w] of integers [1, 4096], got a list '[1,2,3]'",
            "--set:5:6: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 1)",
        ])
    }
}
