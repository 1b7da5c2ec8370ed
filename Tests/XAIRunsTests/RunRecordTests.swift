import Foundation
import XCTest
import XAIExperiment
import XAIManifest
import XAIMetrics
import XAITestSupport
@testable import XAIRuns

/// What a run record derives from the run: the experiment's content hash.
final class RunRecordTests: TemporaryDirectoryTestCase {
    let yaml = """
        schema: 1
        name: hashed
        images: [Experiments/images/chelsea.png]
        methods:
          saliency: {}
        """

    /// The same content hashes equal whether a value came from the file or from `--set`, and
    /// whatever the file's name and layout; another value hashes differently.
    func testExperimentHashFollowsContentNotProvenance() throws {
        let plain = try JSONValue(encoding: loadWithRepositoryFiles(yaml))
        guard case let .object(members) = plain else { return XCTFail("an experiment encodes as an object") }
        XCTAssertTrue(RunRecord.provenance.isSubset(of: Set(members.keys)),
                      "the provenance members are the experiment's own: \(members.keys.sorted())")

        let relaid = try JSONValue(encoding: loadWithRepositoryFiles("\n\n" + yaml.replacingOccurrences(
            of: "saliency: {}", with: "saliency: {reduce: l2}")))
        _ = try loadWithRepositoryFiles(yaml)
        let overridden = try JSONValue(encoding: ExperimentLoader.load(
            path: tmp.appendingPathComponent("exp.yaml").path, catalogue: .standard, overrides: ["saliency.reduce=l2"],
            baseDirectory: tmp.path))
        XCTAssertEqual(try RunRecord.experimentHash(relaid, name: "x"), try RunRecord.experimentHash(overridden, name: "x"))
        XCTAssertNotEqual(try RunRecord.experimentHash(plain, name: "x"), try RunRecord.experimentHash(relaid, name: "x"))
    }
}
