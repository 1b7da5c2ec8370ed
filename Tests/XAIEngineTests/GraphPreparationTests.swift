import XCTest
import XAICore
@testable import XAIEngine

final class GraphPreparationTests: XCTestCase {
    private func convBNNet(seed: UInt64) -> Graph {
        var b = GraphBuilder(shape: [3, 8, 8], seed: seed)
        let c1 = b.conv(b.input, inChannels: 3, outChannels: 6, kernel: 3, stride: 2, bias: false)
        let n1 = b.batchNorm(c1, channels: 6, output: "bn1")
        let r1 = b.add(.clip(min: 0, max: 6), [n1], output: "act1")
        let c2 = b.conv(r1, inChannels: 6, outChannels: 6, kernel: 3, groups: 6)
        let n2 = b.batchNorm(c2, channels: 6, output: "bn2")
        let c3 = b.conv(n2, inChannels: 6, outChannels: 4, kernel: 1)
        let n3 = b.batchNorm(c3, channels: 4, output: "bn3")
        let side = b.batchNorm(c3, channels: 4, output: "bn3b") // c3 has two consumers: no folding
        let s = b.add(.add, [n3, side], output: "sum")
        let p = b.add(.globalAveragePool, [s])
        let f = b.add(.flatten(axis: 1), [p], output: "features")
        return b.build(outputs: [f])
    }

    func testBatchNormFoldingMatchesUnfolded() throws {
        let g = convBNNet(seed: 1)
        let folded = try Engine(graph: g, options: Engine.Options(foldBatchNorm: true, fuseActivations: false))
        let optimised = try Engine(graph: g)
        let plain = try Engine(graph: g, options: Engine.Options(foldBatchNorm: false, fuseActivations: false))
        let bnCount = folded.graph.nodes.filter { if case .batchNorm = $0.op { return true }; return false }.count
        XCTAssertEqual(bnCount, 2, "bn1 and bn2 fold; bn3 / bn3b stay because the conv output is shared")
        XCTAssertNotNil(folded.shape(of: "bn1"))
        XCTAssertNotNil(folded.shape(of: "bn2"))
        let x = randomTensor([3, 3, 8, 8], seed: 2)
        let a = try folded.forward(x, retain: .all), b = try plain.forward(x, retain: .all)
        for name in ["bn1", "act1", "bn2", "sum", "features"] {
            let d = a[name]!.maxAbsDifference(b[name]!)
            print("BN folding, tensor \(name): max diff \(d)")
            XCTAssertLessThan(d, 1e-4, name)
        }
        let o = try optimised.forward(x)
        XCTAssertLessThan(o.output.maxAbsDifference(b.output), 1e-4)
        // Gradients agree too.
        let seed = randomTensor(a.output.shape, seed: 3)
        let ga = try folded.gradients(a, seeds: [folded.outputName: seed], wrt: ["input", "act1"])
        let gb = try plain.gradients(b, seeds: [plain.outputName: seed], wrt: ["input", "act1"])
        for name in ["input", "act1"] {
            let d = ga[name]!.maxAbsDifference(gb[name]!)
            print("BN folding, gradient \(name): max diff \(d)")
            XCTAssertLessThan(d, 1e-4)
        }
    }

    func testTensorListingIsTopologicalWithItemShapes() throws {
        let e = try Engine(graph: convBNNet(seed: 4))
        let names = e.tensors.map(\.name)
        XCTAssertEqual(names.first, "input")
        XCTAssertEqual(e.tensors.first?.shape, [3, 8, 8])
        XCTAssertEqual(e.shape(of: "act1"), [6, 4, 4])
        XCTAssertEqual(e.shape(of: "features"), [4])
        XCTAssertLessThan(names.firstIndex(of: "act1")!, names.firstIndex(of: "bn2")!)
        XCTAssertEqual(e.outputName, "features")
        XCTAssertFalse(names.contains("bn1"), "bn1 feeds only the fused ReLU6, so the conv writes act1 directly")
        let unfused = try Engine(graph: convBNNet(seed: 4), options: Engine.Options(fuseActivations: false))
        XCTAssertTrue(unfused.tensors.map(\.name).contains("bn1"))
    }

    func testConstantSubgraphsAreEvaluatedAtInit() throws {
        var b = GraphBuilder(shape: [2, 3])
        let k = b.constant(Tensor(shape: [6], data: [1, 2, 3, 4, 5, 6]))
        let r = b.add(.reshape(shape: [2, 3]), [k])
        let y = b.add(.mul, [b.input, r], output: "y")
        let e = try Engine(graph: b.build(outputs: [y]))
        XCTAssertEqual(e.graph.nodes.count, 1)
        let out = try e.logits(Tensor(shape: [1, 2, 3], repeating: 2))
        XCTAssertEqual(out.data, [2, 4, 6, 8, 10, 12])
    }
}
