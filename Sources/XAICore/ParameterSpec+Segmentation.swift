extension ParameterSpec {
    /// Superpixel segmentation, shared by LIME, KernelSHAP and anchors (read by XAIImaging's
    /// `SegmentationAlgorithm`).
    public static let segmentation: [ParameterSpec] = [
        ParameterSpec("segmentation", .choice(["quickshift", "slic", "felzenszwalb", "grid"]), default: .string("quickshift"),
                      "superpixel algorithm"),
        ParameterSpec("kernel_size", .double(.positive), default: .double(4), "quickshift: width of the density kernel"),
        ParameterSpec("max_dist", .double(.positive), default: .double(200), "quickshift: cut-off distance for linking"),
        ParameterSpec("ratio", .double(.unit), default: .double(0.2), "quickshift: colour versus position weight"),
        ParameterSpec("n_segments", .int(.ints(1, 100_000)), default: .int(100), "slic: approximate number of segments"),
        ParameterSpec("compactness", .double(.positive), default: .double(10), "slic: colour versus position weight"),
        ParameterSpec("scale", .double(.positive), default: .double(100), "felzenszwalb: larger means larger segments"),
        ParameterSpec("sigma", .double(.nonNegative), default: .double(0.5), "felzenszwalb: Gaussian pre-smoothing"),
        ParameterSpec("min_size", .int(.ints(1, 1_000_000)), default: .int(50), "felzenszwalb: smallest segment in pixels"),
        ParameterSpec("cells", .int(.ints(1, 256)), default: .int(8), "grid: cells per side"),
    ]
}
