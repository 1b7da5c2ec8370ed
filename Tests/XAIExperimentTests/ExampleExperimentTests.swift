import Foundation
import XCTest
import XAIMethods
import XAIMetrics
@testable import XAIExperiment
import XAICore

/// The experiment files shipped in Experiments/ load cleanly against the real model card.
final class ExampleExperimentTests: XCTestCase {
    private var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    private func load(_ name: String) throws -> Experiment {
        let root = repositoryRoot
        guard FileManager.default.fileExists(atPath: root + "/Weights/efficientnet-lite0.yaml") else {
            throw XCTSkip("Weights/efficientnet-lite0.yaml is not there")
        }
        return try ExperimentLoader.load(path: root + "/Experiments/" + name, catalogue: .standard, baseDirectory: root)
    }

    func testQuickstartUsesEveryMethod() throws {
        let e = try load("quickstart.yaml")
        let methods = MethodCatalogue.descriptors.filter { !Self.afterQuickstart.contains($0.kind) }
        XCTAssertEqual(Set(e.methods.map(\.kind)), Set(methods.map(\.kind)))
        XCTAssertEqual(e.images.map(\.id), ["chelsea", "coffee", "rocket"])
        XCTAssertEqual(e.models.map(\.name), ["efficientnet-lite0"])
        XCTAssertEqual(e.models.first?.targetLayer, "head")
        XCTAssertEqual(e.models.first?.preprocess.crop, 224)
        XCTAssertEqual(try e.models.first?.loadLabels()?.count, 1000)
        XCTAssertEqual(e.runs.count, methods.count + 1, "every method once, DFF also jointly")
        XCTAssertEqual(e.outputDirectory, repositoryRoot + "/Outputs/quickstart")
    }

    /// Methods that came after the quickstart's outputs were fixed stay out of it, so those do
    /// not change; the comparison experiment runs them.
    static let afterQuickstart: Set<MethodKind> = [Deconvnet.kind, GradientSHAP.kind, DeepLIFT.kind, DeepSHAP.kind,
                                                   MeaningfulPerturbation.kind]

    func testComparisonRunsTheMethodsTheQuickstartLeavesOut() throws {
        let e = try load("compare-methods.yaml")
        XCTAssertTrue(Self.afterQuickstart.isSubset(of: Set(e.methods.map(\.kind))))
        XCTAssertTrue(e.metrics.contains { $0.kind == AOPC.descriptor.kind })
    }

    func testSweepExamples() throws {
        XCTAssertEqual(try load("occlusion-window-sweep.yaml").runs.map(\.id), [
            "occlusion@window=8", "occlusion@window=16", "occlusion@window=24", "occlusion@window=32",
            "occlusion-blur@window=8", "occlusion-blur@window=16", "occlusion-blur@window=24", "occlusion-blur@window=32",
        ])
        XCTAssertEqual(try load("ig-steps-sweep.yaml").runs.count, 10)
        XCTAssertEqual(try load("lime-kernel-width-sweep.yaml").runs.map(\.id), [
            "lime@kernel_width=0.1", "lime@kernel_width=0.25", "lime@kernel_width=0.5", "lime@kernel_width=1.0", "lime@kernel_width=2.0",
        ])
        XCTAssertEqual(try load("dff-concepts-sweep.yaml").runs.map(\.id), [
            "dff@concepts=2", "dff@concepts=4", "dff@concepts=6", "dff@concepts=8", "dff-joint@concepts=4", "dff-joint@concepts=8",
        ])
        XCTAssertThrowsError(try load("base.yaml"), "the shared base has no methods of its own") { error in
            XCTAssertTrue("\(error)".contains("`methods:` is required"), "\(error)")
        }
    }

    func testRelativePathsStayRelativeWhenRunFromTheRepositoryRoot() throws {
        _ = try load("quickstart.yaml")  // skips when the model card is missing
        let fm = FileManager.default
        let previous = fm.currentDirectoryPath
        XCTAssertTrue(fm.changeCurrentDirectoryPath(repositoryRoot))
        defer { _ = fm.changeCurrentDirectoryPath(previous) }
        let e = try ExperimentLoader.load(path: "Experiments/ig-steps-sweep.yaml", catalogue: .standard, overrides: ["integrated_gradients.steps=32"])
        XCTAssertEqual(e.images.map(\.path), ["Experiments/images/chelsea.png", "Experiments/images/coffee.png", "Experiments/images/rocket.jpg"])
        XCTAssertEqual(e.models.first?.path, "Weights/efficientnet-lite0.onnx")
        XCTAssertEqual(e.models.first?.labelsFile, "Weights/imagenet-classes.txt")
        XCTAssertEqual(e.outputDirectory, "Outputs/ig-steps-sweep")
        XCTAssertEqual(e.sourceFiles, ["Experiments/ig-steps-sweep.yaml", "Experiments/base.yaml"])
        XCTAssertEqual(e.runs.filter { $0.instance == "integrated_gradients" }.map(\.id), ["integrated_gradients"])
        XCTAssertEqual(e.location("images.chelsea").file, "Experiments/base.yaml")
    }
}
