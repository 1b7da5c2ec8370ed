extension ONNXModelBuilder {
    /// Conv 3x3 (4 channels) -> ReLU `features` -> global average pool -> Gemm to 10 logits, for
    /// a fixed `height x width` input: the smallest model with a CAM target and another output
    /// count than ImageNet's.
    static func tinyClassifier(height: Int, width: Int) -> ONNXModelBuilder {
        var b = ONNXModelBuilder()
        b.input("image", [1, 3, .value(height), .value(width)])
        b.weight("w", [4, 3, 3, 3])
        b.weight("fc", [10, 4])
        b.node("Conv", ["image", "w"], ["conv"], [.ints("kernel_shape", [3, 3]), .ints("pads", [1, 1, 1, 1])])
        b.node("Relu", ["conv"], ["features"])
        b.node("GlobalAveragePool", ["features"], ["pool"])
        b.node("Flatten", ["pool"], ["flat"], [.int("axis", 1)])
        b.node("Gemm", ["flat", "fc"], ["logits"], [.int("transB", 1)])
        b.output("logits")
        return b
    }
}
