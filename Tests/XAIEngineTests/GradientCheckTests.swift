import XCTest
import XAICore
@testable import XAIEngine

/// Every op's backward against central finite differences (float32, eps 1e-2 unless noted).
final class GradientCheckTests: XCTestCase {
    private func conv(_ a: Conv2D, inC: Int, outC: Int, item: [Int], batch: Int = 2, bias: Bool = true, seed: UInt64) throws {
        var b = GraphBuilder(shape: item, seed: seed)
        var inputs = [b.input, b.random([outC, inC / a.groups, a.kernel.h, a.kernel.w], scale: 0.5)]
        if bias { inputs.append(b.random([outC], scale: 0.2)) }
        let y = b.add(.conv(a), inputs, name: "conv", output: "y")
        try checkGradient(b.build(outputs: [y]), input: randomTensor([batch] + item, seed: seed + 1))
    }

    func testConvPlain3x3() throws {
        try conv(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1)), inC: 3, outC: 4, item: [3, 5, 5], seed: 1)
    }

    func testConvStrideDilationAsymmetricPads() throws {
        try conv(Conv2D(kernel: (3, 2), stride: (2, 1), dilation: (2, 2), pads: (0, 1, 2, 1)), inC: 2, outC: 3,
                 item: [2, 7, 6], seed: 2)
    }

    func testConvGroups() throws {
        try conv(Conv2D(kernel: (2, 3), stride: (1, 2), pads: (1, 0, 0, 1), groups: 2), inC: 4, outC: 6,
                 item: [4, 5, 6], seed: 3)
    }

    func testConvPointwiseDirectAndBatched() throws {
        try conv(Conv2D(kernel: (1, 1)), inC: 3, outC: 4, item: [3, 3, 4], batch: 1, seed: 4)
        try conv(Conv2D(kernel: (1, 1)), inC: 3, outC: 4, item: [3, 3, 4], batch: 3, bias: false, seed: 5)
    }

    func testDepthwiseStride2SamePads() throws {
        try conv(Conv2D(kernel: (3, 3), stride: (2, 2), pads: (0, 0, 1, 1), groups: 3), inC: 3, outC: 3,
                 item: [3, 6, 7], seed: 6)
    }

    func testDepthwiseDilatedAsymmetric() throws {
        try conv(Conv2D(kernel: (3, 3), stride: (1, 3), dilation: (2, 1), pads: (2, 1, 1, 2), groups: 2), inC: 2, outC: 2,
                 item: [2, 6, 8], seed: 7)
    }

    func testDepthwiseMultiplierUsesGroupedGEMM() throws {
        try conv(Conv2D(kernel: (3, 3), pads: (1, 1, 1, 1), groups: 2), inC: 2, outC: 4, item: [2, 4, 4], seed: 8)
    }

    func testConvWithFusedRectifiers() throws {
        for (i, act) in [Op.relu, .clip(min: 0, max: 0.6), .leakyRelu(alpha: 0.1)].enumerated() {
            var b = GraphBuilder(shape: [2, 5, 5], seed: 20 + UInt64(i))
            let c = b.conv(b.input, inChannels: 2, outChannels: 3, kernel: 3)
            let r = b.add(act, [c], output: "act")
            let y = b.conv(r, inChannels: 3, outChannels: 2, kernel: 1)
            let g = b.build(outputs: [y])
            let e = try Engine(graph: g)
            XCTAssertNil(e.shape(of: c), "the conv output is fused away")
            try checkGradient(g, input: randomTensor([2, 2, 5, 5], seed: 30), eps: 2e-3, tolerance: 3e-2)
            try checkGradient(g, input: randomTensor([2, 2, 5, 5], seed: 30), wrt: "act", eps: 2e-3)
        }
    }

    func testBatchNormUnfolded() throws {
        var b = GraphBuilder(shape: [3, 2, 2])
        let y = b.batchNorm(b.input, channels: 3, output: "y")
        try checkGradient(b.build(outputs: [y]), input: randomTensor([2, 3, 2, 2], seed: 9))
    }

    func testPointwiseActivations() throws {
        let ops: [Op] = [.relu, .clip(min: -1, max: 1.2), .leakyRelu(alpha: 0.2), .sigmoid,
                         .hardSigmoid(alpha: 0.3, beta: 0.4), .hardSwish, .tanh, .identity]
        for (i, op) in ops.enumerated() {
            // Values kept away from the kinks at 0, -1, 1.2 (clip) and hardswish's +-3 (|x| < 2.6).
            var x = randomTensor([2, 3, 2, 2], seed: 40 + UInt64(i), scale: 2.5, awayFromZero: 0.1)
            x = x.map { v in abs(v + 1) < 0.05 || abs(v - 1.2) < 0.05 ? v + 0.15 : v }
            print("op \(op.onnxName):")
            try checkGradient(singleOpGraph(op, item: [3, 2, 2]), input: x, eps: 1e-2)
        }
    }

    func testSoftmaxAxes() throws {
        try checkGradient(singleOpGraph(.softmax(axis: 1), item: [5]), input: randomTensor([2, 5], seed: 50, scale: 2))
        try checkGradient(singleOpGraph(.softmax(axis: -2), item: [3, 4]), input: randomTensor([2, 3, 4], seed: 51, scale: 2))
    }

    /// y = op(A, B) with A the input [N, 3, 4] and B = f(ReduceMean(A)) [N, 1, 4]: both computed.
    private func binaryGraph(_ op: Op, swap: Bool) -> Graph {
        var b = GraphBuilder(shape: [3, 4])
        let r = b.add(.reduceMean(axes: [1], keepDims: true), [b.input])
        let s = b.add(.sigmoid, [r])
        let half = b.constant(Tensor(shape: [1], data: [0.5]))
        let bt = b.add(.add, [s, half], output: "B")   // in (0.5, 1.5): safe divisor
        let y = b.add(op, swap ? [bt, b.input] : [b.input, bt], output: "y")
        return b.build(outputs: [y])
    }

    func testBinaryOpsBothOperandsComputedWithBroadcast() throws {
        for op in [Op.add, .sub, .mul, .div] {
            for swap in [false, true] {
                let g = binaryGraph(op, swap: swap)
                let x = op == .div && swap ? randomTensor([2, 3, 4], seed: 60, awayFromZero: 0.5)
                                           : randomTensor([2, 3, 4], seed: 60)
                print("op \(op.onnxName) swap \(swap):")
                try checkGradient(g, input: x)
                try checkGradient(g, input: x, wrt: "B")
            }
        }
    }

    func testBinaryOpsWithConstantOperands() throws {
        let c = randomTensor([3, 1], seed: 61, awayFromZero: 0.5)
        for op in [Op.add, .sub, .mul, .div] {
            try checkGradient(singleOpGraph(op, item: [2, 3, 4], constants: [c]), input: randomTensor([2, 2, 3, 4], seed: 62))
            var b = GraphBuilder(shape: [2, 3, 4])
            let k = b.constant(c)
            let y = b.add(op, [k, b.input], output: "y")
            let x = op == .div ? randomTensor([2, 2, 3, 4], seed: 63, awayFromZero: 0.5) : randomTensor([2, 2, 3, 4], seed: 63)
            try checkGradient(b.build(outputs: [y]), input: x)
        }
    }

    func testMaxPool() throws {
        try checkGradient(singleOpGraph(.maxPool(Pool2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1))), item: [2, 5, 6]),
                          input: distinctTensor([2, 2, 5, 6], seed: 70))
        try checkGradient(singleOpGraph(.maxPool(Pool2D(kernel: (2, 2), stride: (2, 2), ceilMode: true)), item: [2, 5, 5]),
                          input: distinctTensor([2, 2, 5, 5], seed: 71))
    }

    func testAveragePool() throws {
        for include in [false, true] {
            for ceil in [false, true] {
                let p = Pool2D(kernel: (3, 2), stride: (2, 2), pads: (1, 0, 1, 1), ceilMode: ceil, countIncludePad: include)
                try checkGradient(singleOpGraph(.averagePool(p), item: [2, 6, 5]), input: randomTensor([2, 2, 6, 5], seed: 72))
            }
        }
    }

    func testGlobalAveragePoolFlattenReshape() throws {
        try checkGradient(singleOpGraph(.globalAveragePool, item: [3, 2, 3]), input: randomTensor([2, 3, 2, 3], seed: 80))
        try checkGradient(singleOpGraph(.flatten(axis: 1), item: [3, 2, 2]), input: randomTensor([2, 3, 2, 2], seed: 81))
        try checkGradient(singleOpGraph(.reshape(shape: [0, -1, 2]), item: [3, 2, 2]), input: randomTensor([2, 3, 2, 2], seed: 82))
    }

    func testTranspose() throws {
        var b = GraphBuilder(shape: [2, 3, 4])
        let t = b.add(.transpose(perm: [0, 2, 3, 1]), [b.input])
        let w = b.random([2], scale: 1)
        let y = b.add(.mul, [t, w], output: "y")   // non-uniform weights so the permutation matters
        try checkGradient(b.build(outputs: [y]), input: randomTensor([2, 2, 3, 4], seed: 90))
    }

    func testGemmAndMatMulInGraph() throws {
        var b = GraphBuilder(shape: [5])
        let w = b.random([3, 5], scale: 1)
        let c = b.random([3], scale: 1)
        let y = b.add(.gemm(alpha: 0.7, beta: 1.3, transA: false, transB: true), [b.input, w, c], output: "y")
        try checkGradient(b.build(outputs: [y]), input: randomTensor([2, 5], seed: 100))

        // Without the optional C operand (its rule still returns a slot for C).
        var nc = GraphBuilder(shape: [5])
        let y1 = nc.add(.gemm(alpha: 1, beta: 0, transA: false, transB: true), [nc.input, nc.random([3, 5], scale: 1)], output: "y")
        try checkGradient(nc.build(outputs: [y1]), input: randomTensor([2, 5], seed: 103))

        var m = GraphBuilder(shape: [5])
        let w2 = m.random([5, 3], scale: 1)
        let y2 = m.add(.matMul, [m.input, w2], output: "y")
        try checkGradient(m.build(outputs: [y2]), input: randomTensor([2, 5], seed: 101))

        // Both operands computed, batched: A [N, 3, 4] x A^T [N, 4, 3].
        var k = GraphBuilder(shape: [3, 4])
        let t = k.add(.transpose(perm: [0, 2, 1]), [k.input], output: "AT")
        let y3 = k.add(.matMul, [k.input, t], output: "y")
        try checkGradient(k.build(outputs: [y3]), input: randomTensor([2, 3, 4], seed: 102))
        try checkGradient(k.build(outputs: [y3]), input: randomTensor([2, 3, 4], seed: 102), wrt: "AT")
    }

    /// Gemm's transpose flags need a leading non-batch operand, so they are checked on the kernel.
    func testGemmKernelAllTransposeFlags() {
        for ta in [false, true] {
            for tb in [false, true] {
                let (m, k, n) = (3, 4, 2)
                let a = randomTensor(ta ? [k, m] : [m, k], seed: 110)
                let b = randomTensor(tb ? [n, k] : [k, n], seed: 111)
                let c = randomTensor([1, n], seed: 112)
                let seed = randomTensor([m, n], seed: 113)
                func loss(_ a: Tensor, _ b: Tensor, _ c: Tensor) -> Double {
                    let y = MatrixKernels.gemm(a, b, c, alpha: 0.8, beta: 1.5, transA: ta, transB: tb)
                    return zip(y.data, seed.data).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                }
                let g = MatrixKernels.gemmBackward(a, b, c, dy: seed, alpha: 0.8, beta: 1.5, transA: ta, transB: tb,
                                                   need: [true, true, true])
                var maxDiff: Float = 0
                for which in 0..<3 {
                    var t = [a, b, c][which]
                    for i in 0..<t.count {
                        let x0 = t.data[i]
                        func eval(_ v: Float) -> Double {
                            t.data[i] = v
                            return loss(which == 0 ? t : a, which == 1 ? t : b, which == 2 ? t : c)
                        }
                        let fd = Float((eval(x0 + 1e-2) - eval(x0 - 1e-2)) / 2e-2)
                        t.data[i] = x0
                        maxDiff = max(maxDiff, abs(fd - g[which]!.data[i]))
                    }
                }
                print("gemm kernel transA=\(ta) transB=\(tb): max |fd - analytic| = \(maxDiff)")
                XCTAssertLessThan(maxDiff, 1e-2)
            }
        }
    }

    func testConcatOfComputedTensors() throws {
        var b = GraphBuilder(shape: [2, 3])
        let s = b.add(.tanh, [b.input], output: "T")
        let y = b.add(.concat(axis: 1), [b.input, s, b.input], output: "y")
        try checkGradient(b.build(outputs: [y]), input: randomTensor([2, 2, 3], seed: 120))
        try checkGradient(b.build(outputs: [y]), input: randomTensor([2, 2, 3], seed: 120), wrt: "T")
    }

    func testPadAndCrop() throws {
        try checkGradient(singleOpGraph(.pad(pads: [0, 0, 1, 2, 0, 0, 2, 1], value: 0.5), item: [2, 3, 3]),
                          input: randomTensor([2, 2, 3, 3], seed: 130))
        try checkGradient(singleOpGraph(.pad(pads: [0, 1, -1, 0, 0, -1, 2, 0], value: 0), item: [2, 3, 3]),
                          input: randomTensor([2, 2, 3, 3], seed: 131))
    }

    func testReduceMean() throws {
        try checkGradient(singleOpGraph(.reduceMean(axes: [2, 3], keepDims: true), item: [3, 2, 3]),
                          input: randomTensor([2, 3, 2, 3], seed: 140))
        try checkGradient(singleOpGraph(.reduceMean(axes: [-1], keepDims: false), item: [3, 4]),
                          input: randomTensor([2, 3, 4], seed: 141))
    }

    func testLRN() throws {
        for size in [3, 4] {
            try checkGradient(singleOpGraph(.lrn(size: size, alpha: 0.5, beta: 0.75, bias: 1), item: [5, 2, 2]),
                              input: randomTensor([2, 5, 2, 2], seed: 150, scale: 1.5))
        }
    }

    func testGelu() throws {
        for approximate in [false, true] {
            try checkGradient(singleOpGraph(.pointwise(.gelu(tanhApproximation: approximate)), item: [3, 2, 2]),
                              input: randomTensor([2, 3, 2, 2], seed: 155, scale: 3), eps: 1e-2)
        }
        // Reference values: torch.nn.functional.gelu (exact and tanh) in float64.
        let x: [Float] = [-3, -0.5, 0.7, 2.5]
        let exact: [Float] = [-0.00404969409, -0.154268769, 0.530625443, 2.48447584]
        let tanhForm: [Float] = [-0.00363739208, -0.154285990, 0.530570135, 2.48491573]
        for i in x.indices {
            XCTAssertEqual(Gelu.value(x[i], tanh: false), exact[i], accuracy: 1e-6)
            XCTAssertEqual(Gelu.value(x[i], tanh: true), tanhForm[i], accuracy: 1e-6)
        }
    }

    /// Over the last axis (ConvNeXt after its NHWC permute) and over two axes, with and without bias.
    func testLayerNorm() throws {
        for (axis, item, bias) in [(-1, [3, 2, 5], true), (2, [3, 2, 5], false), (1, [4, 3], true)] {
            var b = GraphBuilder(shape: item, seed: 160)
            let ax = axis < 0 ? axis + item.count + 1 : axis
            let n = item[(ax - 1)...].reduce(1, *)
            var ins = [b.input, b.random([n], scale: 1)]
            if bias { ins.append(b.random([n], scale: 0.5)) }
            let y = b.add(.layerNorm(axis: axis, epsilon: 1e-5), ins, name: "ln", output: "y")
            try checkGradient(b.build(outputs: [y]), input: randomTensor([2] + item, seed: 161, scale: 2))
        }
    }

    func testLayerNormForwardNormalisesEachRow() throws {
        let x = Tensor(shape: [1, 2, 4], data: [1, 2, 3, 4, -2, 0, 2, 4])
        let graph = singleOpGraph(.layerNorm(axis: 2, epsilon: 0), item: [2, 4],
                                  constants: [Tensor(shape: [4], data: [1, 1, 2, 1]), Tensor(shape: [4], data: [0, 0, 0, 1])])
        let y = try Engine(graph: graph).logits(x)
        // Row 1: mean 2.5, variance 1.25; row 2: mean 1, variance 5.
        let a = Float(1.25).squareRoot(), b = Float(5).squareRoot()
        let want: [Float] = [-1.5 / a, -0.5 / a, 2 * 0.5 / a, 1.5 / a + 1, -3 / b, -1 / b, 2 * 1 / b, 3 / b + 1]
        for i in want.indices { XCTAssertEqual(y.data[i], want[i], accuracy: 1e-6, "\(i)") }
    }

    func testIntermediateOfDeepChain() throws {
        var b = GraphBuilder(shape: [2, 6, 6], seed: 160)
        let c1 = b.conv(b.input, inChannels: 2, outChannels: 4, kernel: 3, stride: 2)
        let bn = b.batchNorm(c1, channels: 4)
        let r = b.add(.clip(min: 0, max: 6), [bn], output: "mid")
        let dw = b.conv(r, inChannels: 4, outChannels: 4, kernel: 3, groups: 4)
        let h = b.add(.hardSwish, [dw])
        let p = b.add(.globalAveragePool, [h])
        let f = b.add(.flatten(axis: 1), [p])
        let y = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [f, b.random([3, 4], scale: 1), b.random([3], scale: 1)], output: "y")
        let g = b.build(outputs: [y])
        try checkGradient(g, input: randomTensor([2, 2, 6, 6], seed: 161), eps: 3e-3, tolerance: 3e-2)
        try checkGradient(g, input: randomTensor([2, 2, 6, 6], seed: 161), wrt: "mid", eps: 3e-3)
    }
}
