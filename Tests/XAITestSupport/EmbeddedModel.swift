import Foundation
import XCTest
import XAICore
import XAIEngine
import XAIImaging
import XAIMethods
import XAIONNX

/// The embedded EfficientNet-Lite0 (Weights/efficientnet-lite0.onnx) for tests that need a real
/// network; they are skipped when the file is absent. The graph and engine are prepared once per
/// test run.
public enum EmbeddedModel {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let path = root.appendingPathComponent("Weights/efficientnet-lite0.onnx").path

    nonisolated(unsafe) private static var cachedGraph: Graph?
    nonisolated(unsafe) private static var cachedEngine: Engine?
    private static let lock = NSLock()

    public static func graph() throws -> Graph {
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        lock.lock()
        defer { lock.unlock() }
        if let g = cachedGraph { return g }
        let g = try ONNXImporter.load(contentsOf: path)
        cachedGraph = g
        return g
    }

    /// The model context, target layer "head".
    public static func context(cache: IntermediateCache? = nil) throws -> ModelContext {
        let g = try graph()
        lock.lock()
        defer { lock.unlock() }
        let engine = try cachedEngine ?? Engine(graph: g)
        cachedEngine = engine
        return ModelContext(engine: engine, labels: (0..<1000).map { "class \($0)" }, preprocess: .efficientNetLite0,
                            targetLayer: "head", cache: cache)
    }

    /// A smooth synthetic 224x224 picture (no image files needed).
    public static func image() -> RGBImage {
        let n = 224
        var p = [Float](repeating: 0, count: 3 * n * n)
        for c in 0..<3 {
            for y in 0..<n {
                for x in 0..<n {
                    let dx = Float(x - 120), dy = Float(y - 100)
                    let blob = exp(-(dx * dx + dy * dy) / 2000)
                    p[(c * n + y) * n + x] = 0.2 + 0.6 * blob * Float(c + 1) / 3 + 0.15 * sin(Float(x + 2 * y) * 0.05 * Float(c + 1))
                }
            }
        }
        return RGBImage(width: n, height: n, pixels: p)
    }
}
