import XCTest
import XAICore
import XAIExperiment
import XAITestSupport
@testable import XAIPlanner

/// The files a result depends on besides the model file and the images are in its cache key:
/// the background images `baselines:` names (gradient_shap, deep_shap) and a model's external
/// data (`model.onnx.data`). Changing one of them, same name and path, must recompute.
final class InputFilesKeyTests: TemporaryDirectoryTestCase {
    func runner(_ backend: FakeBackend, methods: String) throws -> ExperimentRunner {
        try ExperimentRunner(experiment: try loadFakeExperiment(otherMethods: methods), backend: backend)
    }

    /// The reasons of the tasks a plan would run, by task id.
    func rerun(_ r: ExperimentRunner) throws -> [String: PlanReason] {
        var out = [String: PlanReason]()
        for item in try r.plan().items where item.reason.willRun { out[item.task.id] = item.reason }
        return out
    }

    /// Runs the experiment, checks that a second plan runs nothing, applies `edit` and returns
    /// what the next plan would run.
    func planAfter(_ edit: () throws -> Void, backend: FakeBackend = FakeBackend(), methods: String) throws -> [String: PlanReason] {
        XCTAssertTrue(try runner(backend, methods: methods).run().report.succeeded)
        XCTAssertEqual(try rerun(try runner(backend, methods: methods)), [:], "unchanged: all cached")
        try edit()
        return try rerun(try runner(backend, methods: methods))
    }

    func testChangingABackgroundImageRecomputesTheExplanationsThatDrawFromIt() throws {
        try writeFile("background one", "backgrounds/a.png")
        try writeFile("background two", "backgrounds/b.png")
        let methods = "deep_shap: {baselines: \(tmp.path)/backgrounds/*.png, samples: 2}"
        let changed = try planAfter({ try writeFile("background TWO", "backgrounds/b.png") }, methods: methods)
        let explains = changed.filter { $0.key.hasSuffix("deep_shap") }
        XCTAssertEqual(explains.count, 2, "both images' deep_shap explanations: \(changed.keys.sorted())")
        XCTAssertTrue(explains.values.allSatisfy { $0 == .inputsChanged(["files.baselines"]) }, "\(explains)")
        XCTAssertFalse(changed.keys.contains { $0.contains("occlusion") || $0.hasSuffix("predict") }, "\(changed.keys.sorted())")

        // A new file among those the glob matches counts too (the samples take it in turn).
        let added = try planAfter({ try writeFile("background three", "backgrounds/c.png") }, methods: methods)
        XCTAssertEqual(added.filter { $0.key.hasSuffix("deep_shap") }.count, 2, "\(added.keys.sorted())")
    }

    func testAPatternNamingNoFilesKeysItsProblem() throws {
        let run = try XCTUnwrap(try loadFakeExperiment(otherMethods: "gradient_shap: {baselines: \(tmp.path)/none/*.png}")
            .runs.first { $0.kind.rawValue == "gradient_shap" })
        let inputs = try ExperimentGraph.parameterFileInputs(run, hasher: FileHasher())
        XCTAssertTrue(inputs["files.baselines"]?.hasPrefix("unusable: ") == true, "\(inputs)")
    }

    func testNamedBaselinesNameNoFiles() throws {
        let run = try XCTUnwrap(try loadFakeExperiment(otherMethods: "gradient_shap: {baselines: blur}")
            .runs.first { $0.kind.rawValue == "gradient_shap" })
        XCTAssertEqual(try ExperimentGraph.parameterFileInputs(run, hasher: FileHasher()), [:])
    }

    func testChangingAModelsExternalDataRecomputesEverythingTheModelComputed() throws {
        let data = try writeFile("weights v1", "m.onnx.data")
        let backend = FakeBackend()
        backend.companions = [data]
        let changed = try planAfter({ try writeFile("weights v2", "m.onnx.data") }, backend: backend,
                                    methods: "integrated_gradients: {steps: 8}")
        let predicts = changed.filter { $0.key.hasSuffix("predict") }
        XCTAssertEqual(predicts.count, 2, "\(changed.keys.sorted())")
        XCTAssertTrue(predicts.values.allSatisfy { $0 == .inputsChanged(["model"]) }, "\(predicts)")
        XCTAssertEqual(changed.keys.filter { $0.hasSuffix("occlusion") || $0.hasSuffix("integrated_gradients") }.count, 4)
        XCTAssertFalse(changed.keys.contains { $0.hasSuffix("decode") }, "decoding does not read the model")
    }
}
