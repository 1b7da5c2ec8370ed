import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX
@testable import XAITestSupport

/// ONNX external data: initializers whose bytes live in a file beside the model, as PyTorch's
/// default exporter writes them.
final class ExternalDataTests: TemporaryDirectoryTestCase {
    /// `convNet` with every float initializer moved to `location` (after a 16-byte header, so
    /// offsets are not all zero); returns the model's path.
    func writeExternal(_ b: ONNXModelBuilder, location: String = "model.onnx.data",
                       edit: (inout [Xai_Onnx_StringStringEntryProto], Int) -> Void = { _, _ in }) throws -> String {
        var m = b.model
        var blob = Data(repeating: 0xAB, count: 16)
        for i in m.graph.initializer.indices {
            let t = m.graph.initializer[i]
            var entries = [("location", location), ("offset", "\(blob.count)"), ("length", "\(t.rawData.count)")].map { k, v in
                var e = Xai_Onnx_StringStringEntryProto()
                e.key = k
                e.value = v
                return e
            }
            blob.append(t.rawData)
            edit(&entries, i)
            m.graph.initializer[i].rawData = Data()
            m.graph.initializer[i].externalData = entries
            m.graph.initializer[i].dataLocation = 1
        }
        try blob.write(to: tmp.appendingPathComponent("model.onnx.data"))
        let path = tmp.appendingPathComponent("model.onnx").path
        try m.serializedData().write(to: URL(fileURLWithPath: path))
        return path
    }

    func testExternalWeightsGiveTheSameGraphAsInlineOnes() throws {
        let inline = try ONNXImporter.load(data: try ONNXImportTests.convNet().serialized(), source: "inline.onnx")
        let external = try ONNXImporter.load(contentsOf: try writeExternal(ONNXImportTests.convNet()))
        XCTAssertEqual(Set(external.constants.keys), Set(inline.constants.keys))
        for (k, v) in inline.constants {
            XCTAssertEqual(external.constants[k]?.shape, v.shape, k)
            XCTAssertEqual(external.constants[k]?.data, v.data, k)
        }
        let x = Tensor(shape: [1, 3, 8, 8], data: (0..<192).map { Float($0 % 17) / 17 })
        let a = try Engine(graph: inline).forward(x)
        let b = try Engine(graph: external).forward(x)
        XCTAssertEqual(a.output.data, b.output.data)
    }

    func testLengthDefaultsToTheRestOfTheFile() throws {
        var b = ONNXModelBuilder()
        b.input("x", [1, 2, 1, 1])
        b.weight("w", [2], [3, -4])
        b.node("Mul", ["x", "w"], ["y"])
        b.output("y")
        let path = try writeExternal(b) { entries, _ in entries.removeAll { $0.key == "length" } }
        let g = try ONNXImporter.load(contentsOf: path)
        XCTAssertEqual(g.constants["w"]?.data, [3, -4])
    }

    func assertRefused(_ path: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ONNXImporter.load(contentsOf: path), file: file, line: line) { e in
            guard case .externalData = e as? ONNXError else {
                return XCTFail("expected ONNXError.externalData, got \(e)", file: file, line: line)
            }
            for p in parts { XCTAssertTrue("\(e)".contains(p), "'\(p)' missing from: \(e)", file: file, line: line) }
        }
    }

    func testLocationsOutsideTheModelsFolderAreRefused() throws {
        for bad in ["../model.onnx.data", "/etc/passwd", "sub/model.onnx.data", ".hidden", ""] {
            let path = try writeExternal(ONNXImportTests.convNet()) { entries, _ in entries[0].value = bad }
            assertRefused(path, ["conv.w", "file name in the model's folder"])
        }
    }

    func testSymbolicLinkIsRefused() throws {
        let path = try writeExternal(ONNXImportTests.convNet())
        let real = tmp.appendingPathComponent("model.onnx.data")
        let elsewhere = tmp.appendingPathComponent("real.bin")
        try FileManager.default.moveItem(at: real, to: elsewhere)
        try FileManager.default.createSymbolicLink(at: real, withDestinationURL: elsewhere)
        assertRefused(path, ["conv.w", "symbolic link"])
    }

    func testRangesAreCheckedAgainstTheFileAndTheShape() throws {
        let beyond = try writeExternal(ONNXImportTests.convNet()) { entries, i in
            if i == 0 { entries[1].value = "1000000" }
        }
        assertRefused(beyond, ["conv.w", "outside the file's"])
        let huge = try writeExternal(ONNXImportTests.convNet()) { entries, i in
            if i == 0 { entries[2].value = "\(Int.max)" }
        }
        assertRefused(huge, ["conv.w", "outside the file's"])
        let negative = try writeExternal(ONNXImportTests.convNet()) { entries, i in
            if i == 0 { entries[1].value = "-4" }
        }
        assertRefused(negative, ["conv.w", "not a non-negative integer"])
        let short = try writeExternal(ONNXImportTests.convNet()) { entries, i in
            if i == 0 { entries[2].value = "8" }
        }
        XCTAssertThrowsError(try ONNXImporter.load(contentsOf: short)) { e in
            XCTAssertTrue("\(e)".contains("raw_data has 8 bytes but its shape needs 108 x 4"), "\(e)")
        }
    }

    func testMissingFileUnknownKeyAndBytesWithoutAFolder() throws {
        let path = try writeExternal(ONNXImportTests.convNet())
        try FileManager.default.removeItem(at: tmp.appendingPathComponent("model.onnx.data"))
        assertRefused(path, ["conv.w", "does not exist; keep the data file beside the model"])
        let keyed = try writeExternal(ONNXImportTests.convNet()) { entries, _ in entries[1].key = "ofset" }
        assertRefused(keyed, ["unknown key 'ofset'"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: keyed))
        XCTAssertThrowsError(try ONNXImporter.load(data: bytes, source: "mem.onnx")) { e in
            XCTAssertTrue("\(e)".contains("tensor 'conv.w'"), "\(e)")
        }
    }
}

/// The files a model's identity in cache keys must cover (`ONNXImporter.externalDataFiles`).
extension ExternalDataTests {
    func testTheDataFileBesideTheModelIsListedOnce() throws {
        let path = try writeExternal(ONNXImportTests.convNet())
        XCTAssertEqual(try ONNXImporter.externalDataFiles(contentsOf: path), [tmp.appendingPathComponent("model.onnx.data").path])
    }

    func testAModelWithInlineWeightsListsNoFile() throws {
        let path = tmp.appendingPathComponent("inline.onnx").path
        try ONNXImportTests.convNet().serialized().write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try ONNXImporter.externalDataFiles(contentsOf: path), [])
    }

    /// A location the importer refuses (a path outside the folder) or a missing file is not
    /// hashed: the import fails naming it.
    func testRefusedOrMissingLocationsAreNotListed() throws {
        let outside = try writeExternal(ONNXImportTests.convNet(), location: "../model.onnx.data")
        XCTAssertEqual(try ONNXImporter.externalDataFiles(contentsOf: outside), [])
        let missing = try writeExternal(ONNXImportTests.convNet(), location: "gone.data")
        XCTAssertEqual(try ONNXImporter.externalDataFiles(contentsOf: missing), [])
    }
}
