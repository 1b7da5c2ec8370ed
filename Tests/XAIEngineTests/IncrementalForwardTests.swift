import XCTest
import XAICore
@testable import XAIEngine

/// Incremental inference (only what a changed box reaches is recomputed) against the full
/// forward on the same inputs.
final class IncrementalForwardTests: XCTestCase {
    /// Strided, dilated, grouped, depthwise and asymmetric-padded convs, batch norm, a residual
    /// add, a per-channel constant, max pooling with padding, then ops that end the incremental
    /// part (global pool, Gemm). `spatialOutput` stops at a feature map instead, so that every
    /// recomputed cell is compared rather than an average.
    private func graph(spatialOutput: Bool) -> Graph {
        var b = GraphBuilder(shape: [3, 21, 19], seed: 7)
        var x = b.conv(b.input, inChannels: 3, outChannels: 8, kernel: 3, stride: 1)
        x = b.batchNorm(x, channels: 8)
        x = b.add(.leakyRelu(alpha: 0.1), [x])
        let skip = x
        var y = b.conv(x, inChannels: 8, outChannels: 8, kernel: 5, pads: (1, 2, 3, 2), groups: 8)
        y = b.add(.clip(min: 0, max: 6), [y])
        y = b.conv(y, inChannels: 8, outChannels: 8, kernel: 3, dilation: 2, groups: 2)
        x = b.add(.add, [skip, y])
        x = b.add(.mul, [x, b.random([8, 1, 1], scale: 1)])
        x = b.add(.maxPool(Pool2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1))), [x])
        x = b.conv(x, inChannels: 8, outChannels: 12, kernel: 3, stride: 2, pads: (0, 0, 1, 1))
        x = b.add(.relu, [x], output: "features")
        if spatialOutput { return b.build(outputs: [x]) }
        x = b.add(.globalAveragePool, [x])
        x = b.add(.flatten(axis: 1), [x])
        x = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [x, b.random([5, 12], scale: 0.5), b.random([5], scale: 0.1)])
        return b.build(outputs: [x])
    }

    @discardableResult
    private func check(_ engine: Engine, regions: [Region], seed: UInt64, label: String) throws -> Int {
        let item = engine.graph.inputShape
        let original = randomTensor([1] + item, seed: seed)
        let base = try engine.forward(original, retain: .all)
        // Each item: the original with its region overwritten by other values.
        let other = randomTensor([regions.count] + item, seed: seed + 1)
        var inputs = Tensor(shape: [regions.count] + item, data: Array(repeating: 0, count: regions.count * original.count))
        let (c, h, w) = (item[0], item[1], item[2])
        for (i, r) in regions.enumerated() {
            for ch in 0..<c {
                for yy in 0..<h {
                    for xx in 0..<w {
                        let inside = yy >= r.y && yy < r.y + r.h && xx >= r.x && xx < r.x + r.w
                        let k = (ch * h + yy) * w + xx
                        inputs.data[i * c * h * w + k] = inside ? other.data[i * c * h * w + k] : original.data[k]
                    }
                }
            }
        }
        let full = try engine.forward(inputs).output
        let (incremental, cropSteps) = try engine.incrementalForward(inputs, changedIn: regions, base: base)
        XCTAssertEqual(incremental.shape, full.shape)
        let d = incremental.maxAbsDifference(full)
        print("incremental vs full forward, \(label): \(cropSteps) of \(engine.steps.count) steps on crops, max diff \(d)")
        XCTAssertLessThan(d, 1e-4, label)
        return cropSteps
    }

    func testMatchesFullForwardOnEveryRegionPlacement() throws {
        for spatial in [true, false] {
            let engine = try Engine(graph: graph(spatialOutput: spatial))
            let (h, w) = (21, 19)
            for (rh, rw) in [(1, 1), (4, 5), (8, 8), (21, 19)] {
                // Corners, edges and the interior.
                var regions: [Region] = []
                for y in Set([0, (h - rh) / 2, h - rh]) {
                    for x in Set([0, min(1, w - rw), (w - rw) / 2, w - rw]) { regions.append(Region(y: y, x: x, h: rh, w: rw)) }
                }
                let cropSteps = try check(engine, regions: regions, seed: UInt64(rh * 100 + rw),
                                          label: "\(spatial ? "feature map" : "logits"), \(regions.count) regions of \(rh)x\(rw)")
                // A 1x1 change stays on crops up to the last conv (the residual add, the scaling and the
                // max pool included); a change of
                // the whole input runs on full tensors.
                if rh == 1 { XCTAssertGreaterThanOrEqual(cropSteps, 6) }
                if rh == h { XCTAssertEqual(cropSteps, 0) }
            }
        }
    }

    func testEfficientNetShapedGraph() throws {
        let engine = try Engine(graph: ReferenceGraphs.efficientNetLite0Shaped(seed: 3))
        let regions = [Region(y: 0, x: 0, h: 16, w: 16), Region(y: 104, x: 88, h: 16, w: 16),
                       Region(y: 208, x: 208, h: 16, w: 16)]
        let cropSteps = try check(engine, regions: regions, seed: 11, label: "EfficientNet-Lite0-shaped, 16x16 windows")
        XCTAssertGreaterThan(cropSteps, 20)
    }

    func testRejectsMismatchedRegions() throws {
        let engine = try Engine(graph: graph(spatialOutput: false))
        let base = try engine.forward(randomTensor([1, 3, 21, 19], seed: 1), retain: .all)
        let x = randomTensor([2, 3, 21, 19], seed: 2)
        XCTAssertThrowsError(try engine.logits(x, changedIn: [Region(y: 0, x: 0, h: 2, w: 2), Region(y: 0, x: 0, h: 3, w: 2)], base: base))
        XCTAssertThrowsError(try engine.logits(x, changedIn: [Region(y: 20, x: 0, h: 2, w: 2), Region(y: 0, x: 0, h: 2, w: 2)], base: base))
        XCTAssertThrowsError(try engine.logits(x, changedIn: [Region(y: 0, x: 0, h: 2, w: 2)], base: base))
        let partial = try engine.forward(randomTensor([1, 3, 21, 19], seed: 1))
        XCTAssertThrowsError(try engine.logits(x, changedIn: [Region(y: 0, x: 0, h: 2, w: 2), Region(y: 1, x: 1, h: 2, w: 2)], base: partial))
    }
}
