import XCTest
import XAICore
import XAIExperiment
import XAITestSupport
import XAIManifest
@testable import XAIPlanner

/// A model's labels are in the keys of the tasks that show them (issue 14, item 10): editing the
/// labels file must change the predictions and the explanations' target labels alike, never mix
/// new predictions with explanations cached under the old labels.
final class LabelsKeyTests: TemporaryDirectoryTestCase {
    func writeLabels(_ labels: [String]) throws {
        try writeFile(labels.joined(separator: "\n") + "\n", "labels.txt")
    }

    func run(_ backend: FakeBackend) throws -> RunResult {
        let result = try ExperimentRunner(experiment: try loadFakeExperiment(labels: "labels.txt"), backend: backend).run()
        XCTAssertTrue(result.report.succeeded, "\(result.report.failures)")
        return result
    }

    func testEditingTheLabelsFileRelabelsPredictionsAndExplanations() throws {
        try writeLabels(["cat", "dog", "cup", "car"])
        let first = try run(FakeBackend())
        let before = Set(first.manifest.results.map(\.target.label))
        XCTAssertTrue(before.isSubset(of: ["cat", "dog", "cup", "car"]), "\(before)")

        try writeLabels(["kitten", "puppy", "mug", "auto"])
        let backend = FakeBackend()
        let second = try run(backend)
        let renamed = ["cat": "kitten", "dog": "puppy", "cup": "mug", "car": "auto"]
        for (old, new) in zip(first.manifest.predictions, second.manifest.predictions) {
            XCTAssertEqual(new.top.map(\.label), old.top.map { renamed[$0.label]! }, "predictions of \(new.image)")
        }
        for (old, new) in zip(first.manifest.results, second.manifest.results) {
            XCTAssertEqual(new.target.label, renamed[old.target.label], "target of \(new.image) \(new.method)")
            XCTAssertEqual(new.target.index, old.target.index)
        }
        XCTAssertTrue(backend.calls.contains { $0.hasPrefix("explain") }, "explanations recomputed: \(backend.calls)")
        XCTAssertFalse(backend.calls.contains { $0.hasPrefix("decode") }, "decoding does not show labels")
    }

    /// Which keys labels enter: every task that shows a label or depends on one, never decode;
    /// inline labels count like a file.
    func testLabelsEnterPredictAndExplainKeysOnly() throws {
        func keys(_ labels: String) throws -> [String: CacheKey] {
            let g = try ExperimentGraph(experiment: try loadFakeExperiment(labels: labels), hasher: FileHasher())
            return g.graph.tasks.mapValues(\.key)
        }
        let a = try keys("[cat, dog, cup, car]"), b = try keys("[cat, dog, mug, car]")
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for id in a.keys.sorted() {
            if id.hasSuffix("/decode") {
                XCTAssertEqual(a[id], b[id], id)
            } else {
                XCTAssertNotEqual(a[id], b[id], id)
            }
        }
    }
}
