import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIMethods
import XAITestSupport

/// The `precision` parameter: bf16 maps agree with fp32 ones on the embedded Lite0, a CPU
/// without bf16 gives fp32 and says so once, and bf16 scores never reuse fp32 ones.
final class PrecisionTests: XCTestCase {
    static let methods: [(MethodDescriptor, (ResolvedParams) throws -> Explainer)] = [
        (LIME.descriptor, { try LIME(params: $0) }), (RISE.descriptor, { try RISE(params: $0) }),
        (KernelSHAP.descriptor, { try KernelSHAP(params: $0) }), (Occlusion.descriptor, { try Occlusion(params: $0) }),
        (ScoreCAM.descriptor, { try ScoreCAM(params: $0) }),
    ]

    /// Small runs: one or two batches of 32 in a debug build.
    static let small: [String: [String: ParamValue]] = [
        "lime": ["samples": .int(32)], "rise": ["masks": .int(32)], "kernel_shap": ["samples": .int(40)],
        "occlusion": ["window": .int(56), "stride": .int(56)], "scorecam": [:],
    ]

    func explain(_ index: Int, _ precision: Precision, _ context: ModelContext, _ input: ExplanationInput) throws -> Explanation {
        let (descriptor, make) = Self.methods[index]
        var given = Self.small[descriptor.kind.rawValue] ?? [:]
        given["precision"] = .string(precision.rawValue)
        return try make(TestModels.params(descriptor, given)).explain(input, model: context)
    }

    func testPerturbationMethodsDeclarePrecision() {
        for (d, _) in Self.methods {
            let spec = d.parameters.first { $0.name == "precision" }
            XCTAssertEqual(spec?.defaultValue, .string("fp32"), d.kind.rawValue)
        }
    }

    func testBF16MapsCorrelateWithFP32OnLite0() throws {
        #if DEBUG
        // Ten runs of one or two Lite0 batches take many minutes unoptimised.
        throw XCTSkip("run in release: swift test -c release -Xswiftc -enable-testing")
        #endif
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
        let context = try EmbeddedModel.context()
        let input = try EmbeddedModel.input()
        for i in Self.methods.indices {
            let fp32 = try explain(i, .fp32, context, input), bf16 = try explain(i, .bf16, context, input)
            let r = RankCorrelation.pearson(fp32.map.data.map(Double.init), bf16.map.data.map(Double.init))
            let d = bf16.map.maxAbsDifference(fp32.map)
            print("\(Self.methods[i].0.kind.rawValue) on Lite0, bf16 against fp32: Pearson r \(r), max map diff \(d)")
            XCTAssertGreaterThanOrEqual(r, 0.99)
            XCTAssertGreaterThan(d, 0, "bf16 must have run")
            XCTAssertEqual(bf16.scalars[PrecisionOption.scalar], 1)
            XCTAssertNil(fp32.scalars[PrecisionOption.scalar])
        }
    }

    func testFallbackGivesFP32AndSaysSoOnce() throws {
        let graph = TestModels.convNet(size: 16)
        let context = try TestModels.context(graph)
        let input = TestModels.input(TestModels.image(for: graph))
        final class Said: @unchecked Sendable { var messages: [String] = [] }
        let said = Said()
        let notice = FallbackNotice.shared
        let sink = notice.sink
        notice.sink = { said.messages.append($0) }
        notice.reset()
        setenv(Precision.unavailableVariable, "1", 1)
        defer {
            unsetenv(Precision.unavailableVariable)
            notice.sink = sink
        }
        for i in Self.methods.indices {
            let fp32 = try explain(i, .fp32, context, input), fallback = try explain(i, .bf16, context, input)
            XCTAssertEqual(fallback.map.data, fp32.map.data, Self.methods[i].0.kind.rawValue)
            XCTAssertEqual(fallback.scalars[PrecisionOption.scalar], 0)
        }
        XCTAssertEqual(said.messages, [Precision.fallbackMessage])
    }

    /// Scores cached by an fp32 run are not served to a bf16 one (and fp32 keys are unchanged).
    func testBF16ScoresAreCachedApart() throws {
        try XCTSkipUnless(Precision.bf16Available, "this CPU has no AVX512_BF16")
        let graph = TestModels.convNet(size: 16)
        let cache = CountingCache()
        let context = try TestModels.context(graph, cache: cache)
        let input = TestModels.input(TestModels.image(for: graph))
        let rise = Self.methods.firstIndex { $0.0.kind.rawValue == "rise" }!
        _ = try explain(rise, .fp32, context, input)
        _ = try explain(rise, .bf16, context, input)
        XCTAssertEqual(cache.hits, 0)
        XCTAssertEqual(cache.stores, 2)
        XCTAssertEqual(cache.keys.filter { $0.hasSuffix(",precision=bf16") }.count, 1)
        _ = try explain(rise, .bf16, context, input)
        XCTAssertEqual(cache.hits, 1)
    }
}
