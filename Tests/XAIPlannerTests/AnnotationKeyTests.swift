import XCTest
import XAIMetrics
import XAICore
import XAIExperiment
import XAITestSupport
@testable import XAIPlanner

/// Localisation metrics read the annotations, so their keys hold the boxes and the mask's bytes;
/// nothing else does.
final class AnnotationKeyTests: TemporaryDirectoryTestCase {
    func write(_ data: Data, _ name: String) throws {
        let url = tmp.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func graph(box: String, mask: String = "masks/coffee.png") throws -> ExperimentGraph {
        try write(Data("fake model bytes".utf8), "m.onnx")
        try write(Data("kitten pixels".utf8), "images/chelsea.png")
        try write(Data("coffee pixels!".utf8), "images/coffee.png")
        let yaml = """
        schema: 1
        name: boxes
        model: {path: m.onnx, labels: [cat, dog, cup, car], preprocess: {resize: 4, crop: 4, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}}
        images: [images]
        methods:
          occlusion: {window: 2, stride: 2}
        metrics: [deletion, localisation]
        annotations:
          chelsea: [\(box)]
          coffee: {mask: \(mask)}
        """
        try write(Data(yaml.utf8), "exp.yaml")
        let exp = try ExperimentLoader.load(path: tmp.appendingPathComponent("exp.yaml").path, catalogue: .standard, baseDirectory: tmp.path,
                                            outputsRoot: "Outputs")
        return try ExperimentGraph(experiment: exp, hasher: FileHasher(memoURL: nil))
    }

    func keys(_ g: ExperimentGraph) -> [String: CacheKey] { g.graph.tasks.mapValues(\.key) }

    func testEditingABoxChangesOnlyThatImagesLocalisationKey() throws {
        try write(Data([0x89, 0x50, 0x4e, 0x47, 1]), "masks/coffee.png")
        let a = keys(try graph(box: "10, 20, 30, 40"))
        let b = keys(try graph(box: "10, 20, 30, 41"))
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        let changed = a.keys.filter { a[$0] != b[$0] }.sorted()
        XCTAssertEqual(changed, ["chelsea/occlusion/localisation"])
        // Explanations, overlays and the other metric keep their keys.
        XCTAssertEqual(a["chelsea/occlusion"], b["chelsea/occlusion"])
        XCTAssertEqual(a["chelsea/occlusion/deletion"], b["chelsea/occlusion/deletion"])
    }

    func testMaskBytesEnterTheKeyButNotItsName() throws {
        try write(Data([0x89, 0x50, 0x4e, 0x47, 1]), "masks/coffee.png")
        let a = keys(try graph(box: "10, 20, 30, 40"))
        try write(Data([0x89, 0x50, 0x4e, 0x47, 2]), "masks/coffee.png")
        let b = keys(try graph(box: "10, 20, 30, 40"))
        XCTAssertEqual(a.keys.filter { a[$0] != b[$0] }.sorted(), ["coffee/occlusion/localisation"])
        try write(Data([0x89, 0x50, 0x4e, 0x47, 2]), "masks/renamed.png")
        let c = keys(try graph(box: "10, 20, 30, 40", mask: "masks/renamed.png"))
        XCTAssertEqual(b, c, "the same mask under another name keeps every key")
    }
}
