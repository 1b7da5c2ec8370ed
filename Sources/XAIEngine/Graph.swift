import XAICore

/// A CNN as a list of nodes in topological order over named float32 tensors (NCHW).
/// The ONNX importer produces it; `Engine` runs it. Every tensor a node writes can be
/// addressed by name (activations, gradients, sub-graph evaluation).
public struct Graph: Sendable {
    /// Name of the model's image input; its shape is [N, C, H, W] with N free.
    public var input: String
    /// Shape of one input item, [C, H, W].
    public var inputShape: [Int]
    /// Names of the graph outputs (the first is taken as the logits).
    public var outputs: [String]
    public var nodes: [Node]
    /// Weights and other constant tensors, by name.
    public var constants: [String: Tensor]
    /// Where the graph came from (a file path), for error messages.
    public var source: String

    public init(input: String, inputShape: [Int], outputs: [String], nodes: [Node],
                constants: [String: Tensor], source: String = "<memory>") {
        self.input = input
        self.inputShape = inputShape
        self.outputs = outputs
        self.nodes = nodes
        self.constants = constants
        self.source = source
    }
}

/// One operation. Inputs name tensors (graph input, constants or other nodes' outputs).
public struct Node: Sendable {
    public var name: String
    public var op: Op
    public var inputs: [String]
    public var output: String

    public init(name: String, op: Op, inputs: [String], output: String) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.output = output
    }
}

/// Operator semantics follow ONNX. Constant operands (weights, biases, BN statistics,
/// broadcast operands) are node inputs that name entries of `Graph.constants`.
public enum Op: Sendable, Equatable {
    /// inputs: X [N,C,H,W], W [M, C/group, kH, kW], optional B [M].
    case conv(Conv2D)
    /// Inference batch norm; inputs: X, scale, bias, mean, variance.
    case batchNorm(epsilon: Float)
    case relu
    case clip(min: Float, max: Float)
    case leakyRelu(alpha: Float)
    case sigmoid
    case hardSigmoid(alpha: Float, beta: Float)
    case hardSwish
    case tanh
    case softmax(axis: Int)
    /// Elementwise with numpy-style broadcasting.
    case add, sub, mul, div
    case maxPool(Pool2D)
    case averagePool(Pool2D)
    case globalAveragePool
    case flatten(axis: Int)
    /// ONNX Reshape semantics: 0 copies the input dimension, -1 is inferred.
    case reshape(shape: [Int])
    case transpose(perm: [Int])
    /// Y = alpha * A' * B' + beta * C; inputs A, B, optional C.
    case gemm(alpha: Float, beta: Float, transA: Bool, transB: Bool)
    case matMul
    case concat(axis: Int)
    /// Constant padding; `pads` = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] over all axes.
    case pad(pads: [Int], value: Float)
    case identity
    case reduceMean(axes: [Int], keepDims: Bool)
    case lrn(size: Int, alpha: Float, beta: Float, bias: Float)
}

/// 2-D convolution attributes. Padding is explicit (auto_pad is resolved by the importer).
public struct Conv2D: Sendable, Equatable {
    public var kernel: (h: Int, w: Int)
    public var stride: (h: Int, w: Int)
    public var dilation: (h: Int, w: Int)
    /// top, left, bottom, right
    public var pads: (top: Int, left: Int, bottom: Int, right: Int)
    public var groups: Int

    public init(kernel: (Int, Int), stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                pads: (Int, Int, Int, Int) = (0, 0, 0, 0), groups: Int = 1) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.dilation = (dilation.0, dilation.1)
        self.pads = (pads.0, pads.1, pads.2, pads.3)
        self.groups = groups
    }

    public static func == (a: Conv2D, b: Conv2D) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.dilation == b.dilation
            && a.pads == b.pads && a.groups == b.groups
    }
}

/// 2-D pooling attributes. Padding is explicit.
public struct Pool2D: Sendable, Equatable {
    public var kernel: (h: Int, w: Int)
    public var stride: (h: Int, w: Int)
    public var pads: (top: Int, left: Int, bottom: Int, right: Int)
    public var ceilMode: Bool
    /// AveragePool only: whether padded cells count in the divisor.
    public var countIncludePad: Bool

    public init(kernel: (Int, Int), stride: (Int, Int), pads: (Int, Int, Int, Int) = (0, 0, 0, 0),
                ceilMode: Bool = false, countIncludePad: Bool = false) {
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.pads = (pads.0, pads.1, pads.2, pads.3)
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }

    public static func == (a: Pool2D, b: Pool2D) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.pads == b.pads
            && a.ceilMode == b.ceilMode && a.countIncludePad == b.countIncludePad
    }
}
