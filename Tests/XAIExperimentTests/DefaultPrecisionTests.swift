import XCTest
import XAIMetrics
@testable import XAIExperiment
import XAICore

/// A top-level `precision:` is the default of every method's and metric's own `precision`.
final class DefaultPrecisionTests: XCTestCase {
    static let file = """
        model: tiny
        images: [images/a.png]
        precision: bf16
        methods:
          rise: {masks: 8}
          lime-fp32: {method: lime, precision: fp32}
          gradcam: {}
        metrics: [deletion, {road: {precision: fp32}}, sparseness]
        """

    func testFillsOnlyParametersLeftUnset() throws {
        let e = try Fixture().load(Self.file)
        XCTAssertEqual(e.method(named: "rise")?.params["precision"], .string("bf16"))
        XCTAssertEqual(e.method(named: "lime-fp32")?.params["precision"], .string("fp32"), "an instance's own value wins")
        XCTAssertNil(e.method(named: "gradcam")?.params["precision"], "gradcam takes no precision")
        let metrics = Dictionary(uniqueKeysWithValues: e.metrics.map { ($0.id, $0.params["precision"]) })
        XCTAssertEqual(metrics["deletion"], .string("bf16"))
        XCTAssertEqual(metrics["road"], .string("fp32"))
        XCTAssertEqual(metrics["sparseness"], .some(nil))
    }

    func testOverrideAndDefault() throws {
        let fx = try Fixture()
        let plain = Self.file.replacingOccurrences(of: "precision: bf16\n", with: "")
        XCTAssertEqual(try fx.load(plain).method(named: "rise")?.params["precision"], .string("fp32"))
        let set = try fx.load(plain, overrides: ["precision=bf16"])
        XCTAssertEqual(set.method(named: "rise")?.params["precision"], .string("bf16"))
        XCTAssertEqual(set.metrics.first?.params["precision"], .string("bf16"))
    }

    func testBadValueReportedOnce() throws {
        let d = try Fixture().diagnostics(Self.file.replacingOccurrences(of: "precision: bf16", with: "precision: fp16"))
        XCTAssertEqual(d.count, 1, "\(d.map(short))")
        XCTAssertEqual(d.first.map(short)?.hasPrefix("exp.yaml:3:12: precision:"), true, "\(d.map(short))")
    }
}
