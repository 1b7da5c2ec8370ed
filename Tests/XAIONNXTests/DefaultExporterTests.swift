import Foundation
import XCTest
import XAICore
import XAIEngine
@testable import XAIONNX

/// torchvision classifiers exported with PyTorch 2.x's default (dynamo) exporter: weights in
/// `<model>.onnx.data` (external data), opset 18 and up, LayerNormalization, Gelu, Split.
/// `tools/export_torchvision_default.py` writes the models and ONNX Runtime's logits for a
/// seeded input into `.build/exports/torchvision-default` (or `$XAI_TORCH_EXPORTS`); they are
/// hundreds of megabytes and never committed, so without them this test skips.
/// `XAI_TORCH_ONLY=convnext_tiny,vgg16` checks only those.
final class DefaultExporterTests: XCTestCase {
    static let models = ["resnet18", "resnet50", "vgg16", "densenet121", "mobilenet_v2", "mobilenet_v3_small",
                         "mobilenet_v3_large", "efficientnet_b0", "regnet_y_400mf", "convnext_tiny", "shufflenet_v2_x1_0"]

    static var folder: String {
        ProcessInfo.processInfo.environment["XAI_TORCH_EXPORTS"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/exports/torchvision-default").path
    }

    /// Logits within 1e-4 of ONNX Runtime's, relative to the largest logit when that exceeds 1
    /// (float32 sums over a ResNet-50 differ by that much between ONNX Runtime and PyTorch too).
    func testLogitsMatchONNXRuntime() throws {
        let dir = Self.folder
        let only = ProcessInfo.processInfo.environment["XAI_TORCH_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }
        let present = Self.models.filter {
            FileManager.default.fileExists(atPath: "\(dir)/\($0).ref.bin") && only?.contains($0) ?? true
        }
        guard !present.isEmpty else {
            throw XCTSkip("no exports in \(dir); run tools/export_torchvision_default.py (see its header) to check them")
        }
        if present.count < Self.models.count {
            print("DefaultExporterTests: missing \(Set(Self.models).subtracting(present).sorted()), checking the rest")
        }
        for name in present {
            do {
                let (x, want) = try Self.reference("\(dir)/\(name).ref.bin")
                let engine = try Engine(graph: try ONNXImporter.load(contentsOf: "\(dir)/\(name).onnx"))
                let got = try engine.logits(x)
                XCTAssertEqual(got.shape, want.shape, name)
                let diff = got.maxAbsDifference(want)
                let scale = want.data.map(abs).max() ?? 0
                print("\(name): max |diff| \(diff) (max |logit| \(scale))")
                XCTAssertLessThanOrEqual(diff, 1e-4 * max(1, scale), name)
            } catch {
                XCTFail("\(name): \(error)")
            }
        }
    }

    /// `int32 n, c, h, w, classes | float32 input | float32 logits` (little-endian).
    static func reference(_ path: String) throws -> (Tensor, Tensor) {
        let ref = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = (0..<5).map { i in
            ref.withUnsafeBytes { Int(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        }
        let (n, c, h, w, classes) = (header[0], header[1], header[2], header[3], header[4])
        let floats = ref.dropFirst(20).withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        let count = n * c * h * w
        guard floats.count == count + n * classes else { throw CocoaError(.fileReadCorruptFile) }
        return (Tensor(shape: [n, c, h, w], data: Array(floats[..<count])), Tensor(shape: [n, classes], data: Array(floats[count...])))
    }
}
