import XAICore

/// Random-weight graphs with the shapes of well-known ImageNet models, for benchmarks and
/// tests before real weights are loaded. Conv -> BatchNormalization -> rectifier, as exporters
/// write them, so the preparation passes (BN folding, fusion) are exercised.
public enum ReferenceGraphs {
    /// TensorFlow "SAME" padding (top, left, bottom, right) for a square kernel on `size`.
    static func samePads(size: Int, kernel: Int, stride: Int) -> (Int, Int, Int, Int) {
        let out = (size + stride - 1) / stride
        let total = max((out - 1) * stride + kernel - size, 0)
        return (total / 2, total / 2, total - total / 2, total - total / 2)
    }

    /// EfficientNet-Lite0 (no squeeze-excite, ReLU6, TF SAME padding for 224x224, BN eps 1e-3):
    /// stem 3x3/2 to 32, the seven MBConv stages, head 1x1 to 1280 named `head`, global average
    /// pool, FC 1280 -> 1000. Input [3, 224, 224], output `logits`.
    public static func efficientNetLite0Shaped(seed: UInt64 = 1) -> Graph {
        var b = GraphBuilder(shape: [3, 224, 224], seed: seed)
        var size = 224
        func convBN(_ x: String, _ cin: Int, _ cout: Int, k: Int, s: Int, groups: Int = 1, relu6: Bool, name: String,
                    output: String? = nil) -> String {
            let c = b.conv(x, inChannels: cin, outChannels: cout, kernel: k, stride: s,
                           pads: samePads(size: size, kernel: k, stride: s), groups: groups, bias: false, name: "\(name)/conv")
            let bnOut = relu6 ? nil : output
            let n = b.batchNorm(c, channels: cout, name: "\(name)/bn", output: bnOut)
            return relu6 ? b.add(.clip(min: 0, max: 6), [n], name: "\(name)/relu6", output: output) : n
        }
        var x = convBN(b.input, 3, 32, k: 3, s: 2, relu6: true, name: "stem", output: "stem")
        size = 112
        let stages = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                      (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]
        var block = 0
        for (repeats, k, stride, expand, cin0, cout) in stages {
            for r in 0..<repeats {
                let s = r == 0 ? stride : 1
                let cin = r == 0 ? cin0 : cout
                let name = "blocks.\(block)"
                var h = x
                let mid = cin * expand
                if expand != 1 { h = convBN(h, cin, mid, k: 1, s: 1, relu6: true, name: "\(name).expand") }
                h = convBN(h, mid, mid, k: k, s: s, groups: mid, relu6: true, name: "\(name).depthwise")
                size = (size + s - 1) / s
                h = convBN(h, mid, cout, k: 1, s: 1, relu6: false, name: "\(name).project")
                if s == 1 && cin == cout { h = b.add(.add, [x, h], name: "\(name).add") }
                x = b.add(.identity, [h], name: "\(name)", output: name)
                block += 1
            }
        }
        let head = convBN(x, 320, 1280, k: 1, s: 1, relu6: true, name: "head", output: "head")
        let pooled = b.add(.globalAveragePool, [head], name: "pool")
        let flat = b.add(.flatten(axis: 1), [pooled], name: "flatten", output: "features")
        let w = b.random([1000, 1280], scale: (6 / 1280.0).squareRoot())
        let fcb = b.random([1000], scale: 0.01)
        let y = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [flat, w, fcb], name: "classifier", output: "logits")
        return b.build(outputs: [y], source: "<EfficientNet-Lite0-shaped, random weights>")
    }

    /// ResNet-50 (v1.5: stride on the 3x3 conv): stem 7x7/2 + maxpool, bottleneck stages
    /// [3, 4, 6, 3], global average pool, FC 2048 -> 1000. Input [3, 224, 224], output `logits`.
    public static func resnet50Shaped(seed: UInt64 = 1) -> Graph {
        var b = GraphBuilder(shape: [3, 224, 224], seed: seed)
        func convBN(_ x: String, _ cin: Int, _ cout: Int, k: Int, s: Int, relu: Bool, name: String, output: String? = nil) -> String {
            let c = b.conv(x, inChannels: cin, outChannels: cout, kernel: k, stride: s, pads: (k / 2, k / 2, k / 2, k / 2),
                           bias: false, name: "\(name)/conv")
            let n = b.batchNorm(c, channels: cout, epsilon: 1e-5, name: "\(name)/bn", output: relu ? nil : output)
            return relu ? b.add(.relu, [n], name: "\(name)/relu", output: output) : n
        }
        let stem = convBN(b.input, 3, 64, k: 7, s: 2, relu: true, name: "conv1")
        var x = b.add(.maxPool(Pool2D(kernel: (3, 3), stride: (2, 2), pads: (1, 1, 1, 1))), [stem], name: "maxpool", output: "maxpool")
        var cin = 64
        for (stage, (blocks, width)) in [(3, 64), (4, 128), (6, 256), (3, 512)].enumerated() {
            for i in 0..<blocks {
                let name = "layer\(stage + 1).\(i)"
                let s = (i == 0 && stage > 0) ? 2 : 1
                let out = width * 4
                var h = convBN(x, cin, width, k: 1, s: 1, relu: true, name: "\(name).conv1")
                h = convBN(h, width, width, k: 3, s: s, relu: true, name: "\(name).conv2")
                h = convBN(h, width, out, k: 1, s: 1, relu: false, name: "\(name).conv3")
                let shortcut = (i == 0) ? convBN(x, cin, out, k: 1, s: s, relu: false, name: "\(name).downsample") : x
                let sum = b.add(.add, [h, shortcut], name: "\(name).add")
                x = b.add(.relu, [sum], name: "\(name).relu", output: i == blocks - 1 ? "layer\(stage + 1)" : name)
                cin = out
            }
        }
        let pooled = b.add(.globalAveragePool, [x], name: "avgpool")
        let flat = b.add(.flatten(axis: 1), [pooled], name: "flatten", output: "features")
        let w = b.random([1000, 2048], scale: (6 / 2048.0).squareRoot())
        let fcb = b.random([1000], scale: 0.01)
        let y = b.add(.gemm(alpha: 1, beta: 1, transA: false, transB: true), [flat, w, fcb], name: "fc", output: "logits")
        return b.build(outputs: [y], source: "<ResNet-50-shaped, random weights>")
    }
}
