import XAICore

/// Deterministic pseudo-random numbers (SplitMix64) for reproducible random weights.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var mix: SplitMix64
    public init(seed: UInt64) { mix = SplitMix64(seed: seed &+ SplitMix64.increment) }
    public mutating func next() -> UInt64 { mix.next() }
    /// Uniform in [-scale, scale).
    public mutating func uniform(_ scale: Float) -> Float {
        Float(Double(next() >> 11) / Double(1 << 53)) * 2 * scale - scale
    }
    public mutating func tensor(_ shape: [Int], scale: Float) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in uniform(scale) })
    }
}

/// Builds a `Graph` in code (tests, reference architectures for benchmarks). Node and tensor
/// names are generated unless given; random constants come from a seeded generator.
public struct GraphBuilder {
    public private(set) var nodes: [Node] = []
    public private(set) var constants: [String: Tensor] = [:]
    public let input: String
    public let inputShape: [Int]
    public var rng: SeededGenerator
    private var counter = 0

    public init(input: String = "input", shape: [Int], seed: UInt64 = 1) {
        self.input = input
        self.inputShape = shape
        self.rng = SeededGenerator(seed: seed)
    }

    private mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_\(counter)"
    }

    /// Adds a constant and returns its name.
    @discardableResult
    public mutating func constant(_ t: Tensor, name: String? = nil) -> String {
        let n = name ?? fresh("const")
        constants[n] = t
        return n
    }

    /// A uniform random constant in [-scale, scale).
    public mutating func random(_ shape: [Int], scale: Float, name: String? = nil) -> String {
        let t = rng.tensor(shape, scale: scale)
        return constant(t, name: name)
    }

    /// Appends a node and returns the name of its output tensor.
    @discardableResult
    public mutating func add(_ op: Op, _ inputs: [String], name: String? = nil, output: String? = nil) -> String {
        let nodeName = name ?? fresh(op.onnxName)
        let out = output ?? "\(nodeName):out"
        nodes.append(Node(name: nodeName, op: op, inputs: inputs, output: out))
        return out
    }

    /// Conv with He-style random weights [out, in/groups, k, k] and (optionally) a random bias.
    public mutating func conv(_ x: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1,
                              pads: (Int, Int, Int, Int)? = nil, dilation: Int = 1, groups: Int = 1,
                              bias: Bool = true, name: String? = nil, output: String? = nil) -> String {
        let p = pads ?? (kernel / 2 * dilation, kernel / 2 * dilation, kernel / 2 * dilation, kernel / 2 * dilation)
        let fanIn = Float(inChannels / groups * kernel * kernel)
        let w = random([outChannels, inChannels / groups, kernel, kernel], scale: (6 / fanIn).squareRoot())
        var inputs = [x, w]
        if bias { inputs.append(random([outChannels], scale: 0.1)) }
        return add(.conv(Conv2D(kernel: (kernel, kernel), stride: (stride, stride), dilation: (dilation, dilation),
                                pads: p, groups: groups)), inputs, name: name, output: output)
    }

    /// Inference BatchNormalization with random statistics near identity.
    public mutating func batchNorm(_ x: String, channels c: Int, epsilon: Float = 1e-3, name: String? = nil,
                                   output: String? = nil) -> String {
        let scale = constant(Tensor(shape: [c], data: (0..<c).map { _ in 1 + rng.uniform(0.2) }))
        let bias = random([c], scale: 0.1)
        let mean = random([c], scale: 0.1)
        let variance = constant(Tensor(shape: [c], data: (0..<c).map { _ in 1 + rng.uniform(0.3) }))
        return add(.batchNorm(epsilon: epsilon), [x, scale, bias, mean, variance], name: name, output: output)
    }

    public func build(outputs: [String], source: String = "<built in code>") -> Graph {
        Graph(input: input, inputShape: inputShape, outputs: outputs, nodes: nodes, constants: constants, source: source)
    }
}
