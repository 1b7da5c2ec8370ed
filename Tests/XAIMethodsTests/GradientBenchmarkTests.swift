import Foundation
import XCTest
import XAICore
@testable import XAIMethods

/// Prints method timings on the embedded model (never pass/fail on time). Runs only when
/// XAI_BENCH=1 is set, in a release build:
/// `XAI_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter GradientBenchmarkTests`.
final class GradientBenchmarkTests: XCTestCase {
    func testStandardSuiteTimings() throws {
        guard ProcessInfo.processInfo.environment["XAI_BENCH"] == "1" else { throw XCTSkip("set XAI_BENCH=1 to run") }
        let model = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        let suite = MethodBenchmark.standardSuite + [
            (GradCAMPlusPlus.kind, ResolvedParams()), (GuidedBackprop.kind, ResolvedParams()), (CAM.kind, ResolvedParams()),
            (DeepFeatureFactorization.kind, ResolvedParams()),
        ] + [1, 4, 8, 32].map { (IntegratedGradients.kind, ResolvedParams(["steps": .int(50), "batch": .int($0)])) }
        for t in try MethodBenchmark.run(suite, input: input, model: model, warmup: 1, repeats: 5) {
            let target = MethodBenchmark.targets[t.kind].map { String(format: " (target %.3f s)", $0) } ?? ""
            print(String(format: "bench %@ %@: median %.4f s, best %.4f s%@", t.kind.rawValue, t.params.canonicalString, t.median, t.best, target))
        }
    }
}
