import XCTest
import XAICore
@testable import XAIEngine

/// Random tensors with values bounded away from 0 (for rectifier kinks).
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1, awayFromZero: Float = 0) -> Tensor {
    var g = SeededGenerator(seed: seed)
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in
        let v = g.uniform(scale)
        return v >= 0 ? v + awayFromZero : v - awayFromZero
    })
}

/// Distinct values spaced by `gap` in random order (for max pooling: no near ties).
func distinctTensor(_ shape: [Int], seed: UInt64, gap: Float = 0.05) -> Tensor {
    var g = SeededGenerator(seed: seed)
    let n = shape.reduce(1, *)
    let values = (0..<n).map { Float($0 - n / 2) * gap }.shuffled(using: &g)
    return Tensor(shape: shape, data: values)
}

/// Central-difference check of d(sum(seed * output)) / d(tensor). `wrt` nil means the graph
/// input; an intermediate is perturbed through sub-graph evaluation on the full activations.
@discardableResult
func checkGradient(_ graph: Graph, input: Tensor, wrt: String? = nil, output: String? = nil,
                   options: Engine.Options = Engine.Options(), eps: Float = 1e-2, tolerance: Float = 2e-2,
                   seed: UInt64 = 7, file: StaticString = #filePath, line: UInt = #line) throws -> Float {
    let engine = try Engine(graph: graph, options: options)
    let name = wrt ?? graph.input
    let outName = output ?? engine.outputName
    let acts = try engine.forward(input, retain: .all)
    let out = try XCTUnwrap(acts[outName], file: file, line: line)
    let seedT = randomTensor(out.shape, seed: seed)
    let analytic = try XCTUnwrap(engine.gradients(acts, seeds: [outName: seedT], wrt: [name])[name], file: file, line: line)
    let base = name == graph.input ? input : try XCTUnwrap(acts[name], file: file, line: line)
    XCTAssertEqual(analytic.shape, base.shape, file: file, line: line)

    func loss(_ v: Tensor) throws -> Double {
        let a = name == graph.input ? try engine.forward(v, retain: .outputsAnd([outName]))
                                    : try engine.forward(replacing: [name: v], base: acts, retain: .outputsAnd([outName]))
        let o = a[outName]!
        var s = 0.0
        for i in 0..<o.count { s += Double(o.data[i]) * Double(seedT.data[i]) }
        return s
    }
    // Central differences; where a rectifier or pooling kink lies inside [x - eps, x + eps] the
    // central quotient is meaningless, so a one-sided quotient that agrees is accepted too.
    let l0 = try loss(base)
    var maxDiff: Float = 0, maxMag: Float = 0
    var v = base
    var oneSided = 0
    for i in 0..<base.count {
        let x0 = v.data[i]
        v.data[i] = x0 + eps
        let lp = try loss(v)
        v.data[i] = x0 - eps
        let lm = try loss(v)
        v.data[i] = x0
        let a = analytic.data[i]
        let central = Float((lp - lm) / Double(2 * eps))
        var diff = abs(central - a)
        if diff > tolerance * max(1, abs(central)) {
            let forward = Float((lp - l0) / Double(eps)), backward = Float((l0 - lm) / Double(eps))
            let best = min(abs(forward - a), abs(backward - a))
            if best < diff { diff = best; oneSided += 1 }
        }
        maxDiff = max(maxDiff, diff)
        maxMag = max(maxMag, abs(central))
    }
    if oneSided > 0 { print("  (\(oneSided) of \(base.count) elements matched a one-sided difference: kink within eps)") }
    let scale = max(1, maxMag)
    print("gradient check d/d\(name) (\(base.shape)): max |fd - analytic| = \(maxDiff), max |fd| = \(maxMag)")
    XCTAssertLessThanOrEqual(maxDiff, tolerance * scale, "gradient w.r.t. \(name)", file: file, line: line)
    XCTAssertGreaterThan(maxMag, 0, "the check must see a non-zero gradient", file: file, line: line)
    return maxDiff
}

/// Every multiply-add of a direct convolution of an input [N, C, H, W] (`xShape`) with filters
/// `wShape` [M, C/group, kH, kW]: `body(output, input, filter)` with flat NCHW indices, taps of one
/// output in (channel, row, column) order. The forward pass sums x * w into each output; the input
/// gradient walks the same taps the other way.
func forEachConvTap(_ xShape: [Int], _ wShape: [Int], _ a: Conv2D, _ body: (_ output: Int, _ input: Int, _ filter: Int) -> Void) {
    let (n, c, h, wd) = (xShape[0], xShape[1], xShape[2], xShape[3])
    let m = wShape[0], cg = c / a.groups, mg = m / a.groups
    let o = ConvPlan.outputSize(a, h: h, w: wd)!
    for ni in 0..<n {
        for mi in 0..<m {
            let g = mi / mg
            for oh in 0..<o.h {
                for ow in 0..<o.w {
                    let out = ((ni * m + mi) * o.h + oh) * o.w + ow
                    for ci in 0..<cg {
                        for ki in 0..<a.kernel.h {
                            for kj in 0..<a.kernel.w {
                                let ih = oh * a.stride.h - a.pads.top + ki * a.dilation.h
                                let iw = ow * a.stride.w - a.pads.left + kj * a.dilation.w
                                guard ih >= 0, ih < h, iw >= 0, iw < wd else { continue }
                                body(out, ((ni * c + g * cg + ci) * h + ih) * wd + iw, ((mi * cg + ci) * a.kernel.h + ki) * a.kernel.w + kj)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Direct convolution in double, the reference for the GEMM, Winograd and depthwise kernels.
func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ a: Conv2D) -> Tensor {
    let (n, m) = (x.shape[0], w.shape[0])
    let o = ConvPlan.outputSize(a, h: x.shape[2], w: x.shape[3])!
    let plane = o.h * o.w
    var sums = (0..<(n * m * plane)).map { Double(b?.data[($0 / plane) % m] ?? 0) }
    forEachConvTap(x.shape, w.shape, a) { out, i, f in sums[out] += Double(x.data[i]) * Double(w.data[f]) }
    return Tensor(shape: [n, m, o.h, o.w], data: sums.map { Float($0) })
}

/// A one-node graph on an input of per-item shape `item`, with extra constant operands.
func singleOpGraph(_ op: Op, item: [Int], constants: [Tensor] = []) -> Graph {
    var b = GraphBuilder(shape: item)
    let names = constants.map { b.constant($0) }
    let y = b.add(op, [b.input] + names, name: "node", output: "y")
    return b.build(outputs: [y])
}

/// A fused rectifier applied in double, the oracle's epilogue.
func rectified(_ s: Double, _ act: FusedActivation?) -> Double {
    switch act {
    case nil: return s
    case .relu: return max(s, 0)
    case let .clip(lo, hi): return min(max(s, Double(lo)), Double(hi))
    case let .leakyRelu(a): return s > 0 ? s : Double(a) * s
    }
}

/// Packed GEMM widths and item sizes (columns per item): 48 / 32 / 16 / narrow blocks (80 is
/// 48 + 32, 144 three 48s over two items), and items that end inside a block.
let packedGEMMColumnCases = [(1, 1), (15, 15), (16, 16), (17, 17), (33, 33), (48, 16), (49, 49), (98, 49),
                             (100, 25), (64, 32), (70, 7), (80, 80), (144, 72)]

/// A ResNet bottleneck's end on `x` ([c, h, w]): conv 3x3 (c -> width) + Relu, conv 1x1
/// (width -> c) named "end\(suffix)", Add of x named "sum\(suffix)", then `rectifier`, named
/// "out\(suffix)". Returns the rectifier's output.
func addBottleneckEnd(_ b: inout GraphBuilder, from x: String, channels c: Int, width: Int, suffix: String = "",
                      rectifier: Op = .relu) -> String {
    let mid = b.add(.relu, [b.conv(x, inChannels: c, outChannels: width, kernel: 3)])
    let end = b.conv(mid, inChannels: width, outChannels: c, kernel: 1, output: "end\(suffix)")
    let sum = b.add(.add, [end, x], output: "sum\(suffix)")
    return b.add(rectifier, [sum], output: "out\(suffix)")
}
