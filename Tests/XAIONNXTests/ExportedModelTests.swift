import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX

/// Loads real exports (torchvision via tools/export_torchvision.py) when the environment
/// names their folder: `XAI_ONNX_MODELS=bench/models swift test --filter ExportedModelTests`.
/// The files are hundreds of megabytes and not committed, so CI skips this.
final class ExportedModelTests: XCTestCase {
    func modelFiles() throws -> [String] {
        guard let dir = ProcessInfo.processInfo.environment["XAI_ONNX_MODELS"] else {
            throw XCTSkip("set XAI_ONNX_MODELS to a folder of .onnx exports to run this check")
        }
        let only = ProcessInfo.processInfo.environment["XAI_ONNX_ONLY"]
        return try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { $0.hasSuffix(".onnx") && (only == nil || $0.contains(only!)) }
            .sorted().map { "\(dir)/\($0)" }
    }

    func testExportsLoad() throws {
        for path in try modelFiles() {
            let start = Date()
            let g = try ONNXImporter.load(contentsOf: path)
            let seconds = Date().timeIntervalSince(start)
            var histogram = [String: Int]()
            for n in g.nodes { histogram[Self.opName(n.op), default: 0] += 1 }
            let weights = g.constants.values.reduce(0) { $0 + $1.count }
            print("\(path): \(g.nodes.count) nodes, \(g.constants.count) constants (\(weights) floats), "
                + "input \(g.input) \(g.inputShape), outputs \(g.outputs), loaded in \(String(format: "%.2f", seconds)) s")
            print("  ops: " + histogram.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            XCTAssertEqual(g.inputShape, [3, 224, 224], path)
            XCTAssertFalse(g.nodes.isEmpty, path)
        }
    }

    /// Compares the engine's outputs with ONNX Runtime's on the seeded batch stored next to
    /// each export (`<model>.ref.bin`, see tools/export_torchvision.py and export_keras.py).
    /// Criterion: max |diff| <= 1e-3 x max |output|.
    func testExportsMatchReference() throws {
        for path in try modelFiles() {
            let refPath = String(path.dropLast(5)) + ".ref.bin"
            guard let ref = try? Data(contentsOf: URL(fileURLWithPath: refPath)) else {
                print("\(path): no \(refPath), skipped")
                continue
            }
            let header = (0..<5).map { i in
                ref.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
            }
            let (n, c, h, w, classes) = (header[0], header[1], header[2], header[3], header[4])
            let floats = ref.dropFirst(20).withUnsafeBytes { raw in
                (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            let inputCount = n * c * h * w
            XCTAssertEqual(floats.count, inputCount + n * classes, refPath)
            let x = Tensor(shape: [n, c, h, w], data: Array(floats[..<inputCount]))
            let want = Tensor(shape: [n, classes], data: Array(floats[inputCount...]))
            let engine = try Engine(graph: try ONNXImporter.load(contentsOf: path))
            let start = Date()
            let got = try engine.logits(x)
            let seconds = Date().timeIntervalSince(start)
            let diff = got.maxAbsDifference(want)
            let scale = max(want.data.map(abs).max() ?? 0, 1e-6)
            let top1Agree = (0..<n).filter { i in
                let a = got.data[(i * classes)..<((i + 1) * classes)], b = want.data[(i * classes)..<((i + 1) * classes)]
                return a.firstIndex(of: a.max() ?? 0) == b.firstIndex(of: b.max() ?? 0)
            }.count
            print("\(path): batch \(n) vs reference: max |diff| \(diff), max |logit| \(scale), relative \(diff / scale), "
                + "top-1 agree \(top1Agree)/\(n), forward \(String(format: "%.2f", seconds)) s")
            XCTAssertLessThanOrEqual(diff / scale, 1e-3, path)
        }
    }

    static func opName(_ op: Op) -> String {
        let s = "\(op)"
        return String(s.prefix { $0 != "(" })
    }
}
