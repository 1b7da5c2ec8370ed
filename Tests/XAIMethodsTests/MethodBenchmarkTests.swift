import XCTest
import XAICore
@testable import XAIMethods

/// `MethodBenchmark`, which `xai bench` reports from (timings themselves are never pass/fail:
/// they live in `xai bench`, not in tests).
final class MethodBenchmarkTests: XCTestCase {
    func testMedianAndBest() {
        func timing(_ s: [Double]) -> MethodBenchmark.Timing { .init(kind: Saliency.kind, params: ResolvedParams(), seconds: s) }
        XCTAssertEqual(timing([3, 1, 2]).median, 2)
        XCTAssertEqual(timing([4, 1, 3, 2]).median, 2.5)
        XCTAssertEqual(timing([4, 1, 3, 2]).best, 1)
        XCTAssertEqual(timing([]).median, 0)
        XCTAssertEqual(timing([]).best, 0)
    }

    /// One measured run per repeat, each a positive duration, for every entry of the suite.
    func testMeasuresEachRepeatOfEachMethod() throws {
        let graph = TestModels.convNet()
        let model = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph))
        let suite: [(kind: MethodKind, params: ResolvedParams)] = [(Saliency.kind, ResolvedParams()), (GradCAM.kind, ResolvedParams())]
        let timings = try MethodBenchmark.run(suite, input: input, model: model, warmup: 0, repeats: 3)
        XCTAssertEqual(timings.map(\.kind), [Saliency.kind, GradCAM.kind])
        for t in timings {
            print(String(format: "%@: median %.4f s, best %.4f s", t.kind.rawValue, t.median, t.best))
            XCTAssertEqual(t.seconds.count, 3)
            XCTAssertTrue(t.seconds.allSatisfy { $0 > 0 && $0.isFinite })
            XCTAssertLessThanOrEqual(t.best, t.median)
        }
        // A zero repeat count still measures once.
        XCTAssertEqual(try MethodBenchmark.measure(Saliency.kind, params: ResolvedParams(), input: input, model: model,
                                                   warmup: 0, repeats: 0).seconds.count, 1)
    }
}
