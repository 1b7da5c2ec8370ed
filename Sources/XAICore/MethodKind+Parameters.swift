// The parameter catalogue of every method: names, types, defaults and one-line docs.
// The experiment loader validates against it, `xai methods` prints it, and methods read their
// values from `ResolvedParams` by these names.

private typealias P = ParameterSpec

extension MethodKind {
    /// All parameters of this method, display parameters (`colormap`, `overlay_alpha`) included.
    /// For smoothgrad this lists only its own parameters; see `parameters(withBase:)`.
    public var parameters: [ParameterSpec] {
        ownParameters + ParameterSpec.display
    }

    /// Smoothgrad takes its own parameters plus those of the wrapped method (an experiment may
    /// write `smoothgrad: {base: integrated_gradients, steps: 16}`); on a name clash smoothgrad's
    /// own declaration wins (`batch`). For every other kind this equals `parameters`.
    public func parameters(withBase base: MethodKind) -> [ParameterSpec] {
        guard self == .smoothgrad, MethodKind.smoothgradBases.contains(base) else { return parameters }
        let own = ownParameters
        let names = Set(own.map(\.name))
        return own + base.ownParameters.filter { !names.contains($0.name) } + ParameterSpec.display
    }

    /// The method-specific parameters, without the display ones.
    public var ownParameters: [ParameterSpec] {
        switch self {
        case .saliency:
            return [P.reduce(default: "max_abs", signed: false)]
        case .integratedGradients:
            return [
                P("baseline", .choiceOrNumber(["black", "white", "gray", "blur", "uniform", "gaussian"], .unit),
                  default: .string("black"),
                  "reference input: a named image or one pixel value in [0, 1] for every channel (before normalisation)"),
                P("steps", .int(.ints(1, 100_000)), default: .int(50), "number of points on the path"),
                P("rule", .choice(["riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gauss_legendre"]),
                  default: .string("gauss_legendre"), "quadrature rule; weights sum to 1 for every rule"),
                P.batch(16),
                P.reduce(default: "signed_sum", signed: true),
            ]
        case .smoothgrad:
            return [
                P("base", .methodKind(MethodKind.smoothgradBases.map(\.rawValue)), default: .string("saliency"),
                  "the gradient method to smooth; its parameters may be given alongside"),
                P("noise", .double(NumberRange(min: 0, max: 10, minInclusive: false)), default: .double(0.15),
                  "standard deviation of the Gaussian noise as a fraction of the input range"),
                P("samples", .int(.ints(1, 100_000)), default: .int(25), "number of noisy copies"),
                P("squared", .bool, default: .bool(false), "average the squared maps (SmoothGrad-Squared)"),
                P.batch(16),
            ]
        case .guidedBackprop:
            return [P.reduce(default: "max_abs", signed: false)]
        case .cam, .gradcam, .gradcamPlusPlus, .hirescam:
            return P.camCommon
        case .guidedGradcam:
            return P.camCommon + [P.reduce(default: "max_abs", signed: false)]
        case .scorecam:
            return P.camCommon + [P.batch(32)]
        case .dff:
            return [
                P.targetLayer,
                P("concepts", .int(.ints(1, 256)), default: .int(4), "number of NMF components (concepts)"),
                P("iterations", .int(.ints(1, 100_000)), default: .int(200), "NMF iterations"),
                P("solver", .choice(["mu", "hals"]), default: .string("mu"),
                  "multiplicative updates (mu) or hierarchical alternating least squares (hals)"),
                P("joint", .bool, default: .bool(false),
                  "factorise all images together so a concept has the same colour in every image"),
                P("top_labels", .int(.ints(1, 20)), default: .int(3), "labels listed per concept in the legend"),
            ]
        case .activationMaximization:
            return [
                P("target", .choice(["class", "channel"]), default: .string("class"),
                  "maximise a class logit or the mean of one channel of `layer`"),
                P("class", .intOrString(.ints(0)), default: .string("target"),
                  "class index or label; `target` uses the experiment's target"),
                P("layer", .string, default: .string(""), "layer for target: channel; empty means the model's target layer"),
                P("channel", .int(.ints(0)), default: .int(0), "channel of `layer` for target: channel"),
                P("steps", .int(.ints(1, 100_000)), default: .int(256), "gradient ascent steps"),
                P("lr", .double(.positive), default: .double(0.05), "step size"),
                P("l2", .double(.nonNegative), default: .double(0.0001), "weight of the L2 penalty on the image"),
                P("tv", .double(.nonNegative), default: .double(0.0005), "weight of the total-variation penalty"),
                P("jitter", .int(.ints(0, 64)), default: .int(8), "largest random shift in pixels per step"),
                P("blur_every", .int(.ints(0, 100_000)), default: .int(4), "blur the image every k steps (0: never)"),
                P("blur_sigma", .double(.nonNegative), default: .double(0.5), "standard deviation of that blur in pixels"),
            ]
        case .deepdream:
            return [
                P("layer", .string, default: .string(""), "layer whose activations are amplified; empty means the model's target layer"),
                P("octaves", .int(.ints(1, 10)), default: .int(3), "number of image scales"),
                P("octave_scale", .double(NumberRange(min: 1, max: 4, minInclusive: false)), default: .double(1.4),
                  "size ratio between successive octaves"),
                P("steps", .int(.ints(1, 10_000)), default: .int(10), "gradient ascent steps per octave"),
                P("lr", .double(.positive), default: .double(0.01), "step size (on the normalised gradient)"),
            ]
        case .occlusion:
            return [
                P("window", .intOrPair(.ints(1, 4096)), default: .int(16), "occluding patch size: n or [h, w] pixels"),
                P("stride", .intOrPair(.ints(1, 4096)), default: .int(8), "step between patches: n or [h, w] pixels"),
                P("value", .choiceOrNumber(["gray", "black", "white", "mean", "blur", "noise"], .unit), default: .string("gray"),
                  "what replaces the patch: a named fill or one pixel value in [0, 1]"),
                P("score", .choice(["probability", "logit"]), default: .string("probability"), "score whose drop is measured"),
                P.batch(32),
            ]
        case .lime:
            return P.segmentation + [
                P("samples", .int(.ints(1, 1_000_000)), default: .int(1000), "number of perturbed images"),
                P("kernel_width", .double(.positive), default: .double(0.25), "width of the exponential kernel on cosine distance"),
                P.hide,
                P("alpha", .double(.nonNegative), default: .double(1.0), "ridge regularisation strength"),
                P("features", .int(.ints(1, 10_000)), default: .int(5), "superpixels shown in the top-features picture"),
                P("positive_only", .bool, default: .bool(false), "show only superpixels with positive weight"),
                P("score", .choice(["probability", "logit"]), default: .string("probability"),
                  "score explained: softmax probability or logit"),
                P.batch(32),
            ]
        case .kernelShap:
            return P.segmentation + [
                P("samples", .intOrWord(["auto"], .ints(1, 1_000_000)), default: .string("auto"),
                  "coalitions sampled; auto = 2*M + 2048 for M superpixels"),
                P.hide,
                P("score", .choice(["probability", "logit"]), default: .string("probability"),
                  "score explained: softmax probability or logit"),
                P.batch(32),
            ]
        case .rise:
            return [
                P("masks", .int(.ints(1, 1_000_000)), default: .int(4000), "number of random masks N"),
                P("cells", .int(.ints(1, 256)), default: .int(7), "mask grid size s (s x s cells before upsampling)"),
                P("p", .double(.openUnit), default: .double(0.5), "probability that a cell is kept"),
                P("score", .choice(["probability", "logit"]), default: .string("probability"),
                  "score explained: softmax probability or logit"),
                P.batch(32),
            ]
        case .anchors:
            return P.segmentation + [
                P("precision", .double(NumberRange(min: 0, max: 1, minInclusive: false)), default: .double(0.95),
                  "precision threshold an anchor must reach"),
                P("delta", .double(.openUnit), default: .double(0.1), "confidence parameter of the KL-LUCB bandit"),
                P("tau", .double(.openUnit), default: .double(0.15), "tolerance of the KL-LUCB bandit"),
                P("beam", .int(.ints(1, 100)), default: .int(1), "beam width of the anchor search"),
                P("coverage_samples", .int(.ints(1, 10_000_000)), default: .int(10_000), "samples used to estimate coverage"),
                P("p_sample", .double(.openUnit), default: .double(0.5), "probability that a non-anchor superpixel is kept"),
                P.hide,
                P.batch(100),
            ]
        case .extremalPerturbation:
            return [
                P("area", .double(.openUnit), default: .double(0.1), "fraction of the image the mask keeps"),
                P("smoothness", .double(.nonNegative), default: .double(8), "radius (pixels) of the smooth max-convolution kernel: flat to half of it, Gaussian beyond; at least 0.65 x mask_step"),
                P("steps", .int(.ints(1, 100_000)), default: .int(300), "optimisation steps"),
                P("lr", .double(.positive), default: .double(0.1), "optimiser step size"),
                P("blur_sigma", .double(.positive), default: .double(10), "blur of the perturbed (hidden) image in pixels"),
                P("mask_step", .int(.ints(1, 64)), default: .int(7), "the mask is optimised on a grid this many pixels apart"),
                P("game", .choice(["preservation", "deletion", "dual"]), default: .string("preservation"),
                  "preservation: the masked area alone keeps the target score high; deletion: blurring the masked area drops it; dual: both at once"),
            ]
        }
    }
}

extension ParameterSpec {
    fileprivate static func reduce(default d: String, signed: Bool) -> ParameterSpec {
        ParameterSpec("reduce", .choice(["max_abs", "sum_abs", "l2"] + (signed ? ["signed_sum"] : [])), default: .string(d),
                      "how channels are combined into one map")
    }

    fileprivate static func batch(_ d: Int) -> ParameterSpec {
        ParameterSpec("batch", .int(.ints(1, 4096)), default: .int(d), "images per forward/backward pass")
    }

    fileprivate static let targetLayer = ParameterSpec(
        "target_layer", .string, default: .string(""),
        "tensor name or unique prefix; empty means the experiment's or the model card's target layer")

    fileprivate static let camCommon: [ParameterSpec] = [
        targetLayer,
        ParameterSpec("relu", .bool, default: .bool(true), "clamp the map at 0 before normalising (as in the papers)"),
        ParameterSpec("normalize", .choice(["minmax", "max", "none"]), default: .string("minmax"),
                      "scale the map to [0, 1] by min and max, by max only, or keep raw values"),
    ]

    /// `hide` of LIME, KernelSHAP and anchors: what a switched-off superpixel shows.
    fileprivate static let hide = ParameterSpec(
        "hide", .choice(["mean", "gray", "black", "blur"]), default: .string("mean"),
        "fill of a hidden superpixel: its own mean colour, gray, black or a blurred copy")

    /// Superpixel segmentation, shared by LIME, KernelSHAP and anchors.
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
