import Foundation
import XCTest
@testable import XAIExperiment
import XAICore

/// Issue 14 leftovers: a model, labels or mask path that names a device or FIFO is reported as
/// what it is (it used to be "not found"), and an experiment file over the size limit is refused
/// with the limit stated.
final class NonRegularFileTests: XCTestCase {
    func testModelLabelsAndMaskThatAreDevicesOrFIFOsAreNamedAsSuch() throws {
        let fx = try Fixture()
        try FileManager.default.createSymbolicLink(atPath: fx.path("zero.onnx"), withDestinationPath: "/dev/zero")
        XCTAssertEqual(mkfifo(fx.path("pipe.onnx"), 0o600), 0)
        let device = "it is a character device such as /dev/zero, not a regular file"
        let fifo = "it is a FIFO (named pipe), not a regular file"

        let byPath = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "model: tiny", with: "model: zero.onnx"))
        XCTAssertEqual(byPath.map(short), ["exp.yaml:2:8: model file '\(fx.path("zero.onnx"))' cannot be used: \(device)"])
        let inline = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "model: tiny", with: "model: {path: pipe.onnx}"))
        XCTAssertEqual(inline.map(short), ["exp.yaml:2:15: model file '\(fx.path("pipe.onnx"))' cannot be used: \(fifo)"])
        try fx.write("Weights/dev.yaml", "name: dev\nfile: /dev/null\nlabels: /dev/zero\n"
                     + "preprocess: {resize: 40, crop: 32, mean: [0, 0, 0], std: [1, 1, 1]}\n")
        let card = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "model: tiny", with: "model: dev"))
        XCTAssertEqual(card.map(short), ["dev.yaml:2:7: model file '/dev/null' cannot be used: \(device)",
                                         "dev.yaml:3:9: labels file '/dev/zero' cannot be used: \(device)"])
        let mask = try fx.diagnostics(minimalYAML + "\nannotations: {a: {mask: /dev/zero}}\n")
        XCTAssertEqual(mask.map(short), ["exp.yaml:6:25: mask file '/dev/zero' cannot be used: \(device)"])
        // A missing file is still "not found".
        let missing = try fx.diagnostics(minimalYAML.replacingOccurrences(of: "model: tiny", with: "model: gone.onnx"))
        XCTAssertEqual(missing.map(short), ["exp.yaml:2:8: model file not found: '\(fx.path("gone.onnx"))'"])
    }

    func testExperimentFileOverTheLimitIsRefusedWithTheLimit() throws {
        let fx = try Fixture()
        let limit = DocumentLoader.maxFileBytes
        XCTAssertEqual(limit, 4 * 1024 * 1024)
        let padding = String(repeating: "# padding\n", count: limit / 10 + 1)
        let d = try fx.diagnostics(minimalYAML + "\n" + padding)
        let size = (minimalYAML + "\n" + padding).utf8.count
        XCTAssertEqual(d.map(short), ["exp.yaml:1:1: \(fx.path("exp.yaml")): the file has \(size) bytes; the limit is \(limit)"])
        // One byte under the limit loads.
        let fits = minimalYAML + "\n" + String(repeating: "#", count: limit - minimalYAML.utf8.count - 2) + "\n"
        XCTAssertEqual(fits.utf8.count, limit)
        XCTAssertEqual(try fx.load(fits).name, "demo")
    }
}
