import XAIEngine

/// The tensor a CAM-family method should look at when the user names none: the last spatial
/// activation feeding the classifier's global pooling (or its flatten), as pytorch-grad-cam's
/// per-architecture table picks: `layer4[-1]` of a ResNet, `features[-1]` of a VGG, DenseNet,
/// MobileNet, EfficientNet or ConvNeXt, `trunk_output[-1]` of a RegNet, `conv5` of a ShuffleNet.
public enum CAMTarget {
    /// The suggested target layer of `engine`'s model, or nil when no tensor of [C, H, W] with
    /// H > 1 and W > 1 reaches the output (a model without spatial feature maps).
    ///
    /// Walking from the output back, the first op that turns a spatial tensor into a
    /// non-spatial one (GlobalAveragePool, ReduceMean over H and W, Flatten, Reshape) marks the
    /// head; its spatial input is the suggestion, moved back over pools that keep its shape
    /// (VGG's adaptive 7 x 7 pooling of a 7 x 7 map, a 1 x 1 pool) to the activation they copy.
    public static func suggestion(in engine: Engine) -> String? {
        func isSpatial(_ name: String) -> Bool {
            guard let s = engine.shape(of: name), s.count == 3 else { return false }
            // Both sides > 1: a [1, 1, C] tensor is a pooled vector in NHWC order (ConvNeXt's head).
            return s[1] > 1 && s[2] > 1
        }
        let nodes = engine.graph.nodes
        let producer = Dictionary(nodes.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        guard var candidate = nodes.reversed().lazy.compactMap({ node -> String? in
            guard !isSpatial(node.output) else { return nil }
            return node.inputs.first(where: isSpatial)
        }).first else { return nil }
        while let p = producer[candidate], let input = p.inputs.first, keepsShape(p.op),
              engine.shape(of: input) == engine.shape(of: candidate) {
            candidate = input
        }
        return candidate
    }

    /// Ops that, with the same input and output shape, copy their input: 1 x 1 pools
    /// (what an adaptive pool to the size it is given becomes) and Identity.
    private static func keepsShape(_ op: Op) -> Bool {
        switch op {
        case let .averagePool(p), let .maxPool(p): return p.kernel == (1, 1)
        case .identity: return true
        default: return false
        }
    }
}
