import XAICore
import XAIEngine
import XAIImaging

/// The baseline distribution of the expected-value attribution methods (gradient_shap,
/// deep_shap). Sample s draws, from its own random stream of the seed (so it is the same
/// whatever the batching, and the same baseline in both methods): an interpolation coefficient
/// alpha ~ U(0, 1), then a baseline picture of kind `baseline` (a fresh picture per sample for
/// the random kinds `uniform` and `gaussian`, the same one for the others), then, when
/// `stdevs` > 0, Gaussian noise for the input. Pictures are normalised like the input; the noise
/// is in normalised input units (as Captum's `stdevs`). Tensors are NCHW.
///
/// With background images (`baselines:` a folder or glob, `BackgroundImages`, resized and
/// cropped like the inputs), sample s takes background s mod K instead of a named picture: each background equally often, which has the
/// expectation of Captum's uniform draw of a baseline per sample with less variance, and makes
/// deep_shap with `samples` = K exactly Captum's `DeepLiftShap` (every baseline once).
struct BaselineDistribution: Sendable {
    static let parameter = Param<ParamValue>(
        "baselines", .choiceNumberOrPath(Baseline.names, .unit), default: .string("uniform"),
        "baseline distribution: a named picture (uniform and gaussian draw a new one per sample), one pixel value in [0, 1], or a folder or glob of background images (each used in turn)")
    /// Stream offset of sample 0 (SeededRandom streams are independent per value).
    private static let stream: UInt64 = 0x4753_0000

    /// A named picture or pixel value; unused with `backgrounds`.
    let baseline: Baseline
    /// The folder or glob of background images, nil for a named baseline.
    let backgrounds: String?

    init(_ r: ParameterReader) throws {
        let value = try r[Self.parameter]
        if let named = Baseline(value) {
            (baseline, backgrounds) = (named, nil)
        } else if let pattern = value.stringValue {
            (baseline, backgrounds) = (.black, pattern)
        } else {
            throw r.invalid(Self.parameter.name, "expected \(Baseline.names.joined(separator: " | ")), a pixel value in [0, 1], or a folder or glob of images")
        }
    }

    /// The draws of a range of samples for one input: baselines [n, C, H, W], alphas, and the
    /// (noisy) inputs [n, C, H, W].
    struct Draws {
        var baselines: Tensor
        var alphas: [Float]
        var inputs: Tensor
    }

    /// Draws for one explanation; fixed baselines are normalised once.
    struct Sampler {
        let distribution: BaselineDistribution
        let input: ExplanationInput
        let model: ModelContext
        let stdevs: Float
        private let fixed: Tensor?
        /// The background pictures (pixel space, model input size); empty for a named baseline.
        private let pictures: [RGBImage]

        init(_ distribution: BaselineDistribution, input: ExplanationInput, model: ModelContext, stdevs: Float,
             method: MethodKind) throws {
            self.distribution = distribution
            self.input = input
            self.model = model
            self.stdevs = stdevs
            try Baseline.checkSize(input, method: method)
            if let pattern = distribution.backgrounds {
                pictures = try BackgroundImages.load(pattern, preprocess: model.preprocess, method: method,
                                                     parameter: BaselineDistribution.parameter.name)
                fixed = nil
            } else {
                pictures = []
                fixed = distribution.baseline.isRandom ? nil
                    : try distribution.baseline.tensor(for: input, model: model, method: method)
            }
        }

        /// Whether every sample has the same baseline.
        var baselineIsFixed: Bool { fixed != nil }

        func draws(_ samples: Range<Int>) -> Draws {
            let x = input.input
            let n = x.count
            var base = [Float](), noisy = [Float](), alphas = [Float]()
            base.reserveCapacity(samples.count * n)
            noisy.reserveCapacity(samples.count * n)
            var drawn: [Tensor] = []
            for s in samples {
                var rng = SeededRandom(seed: input.seed, stream: BaselineDistribution.stream + UInt64(s))
                alphas.append(rng.nextFloat())
                if let fixed {
                    base += fixed.data
                } else if !pictures.isEmpty {
                    drawn.append(pictures[s % pictures.count].tensor)
                } else {
                    drawn.append(distribution.baseline.image(for: input.image, rng: &rng).tensor)
                }
                if stdevs > 0 {
                    noisy += zip(x.data, rng.normals(n, std: stdevs)).map { $0 + $1 }
                } else {
                    noisy += x.data
                }
            }
            var shape = x.shape
            shape[0] = samples.count
            let baselines = drawn.isEmpty ? Tensor(shape: shape, data: base)
                : model.normalize(Tensor.concatenate(drawn))
            return Draws(baselines: baselines, alphas: alphas, inputs: Tensor(shape: shape, data: noisy))
        }
    }
}
