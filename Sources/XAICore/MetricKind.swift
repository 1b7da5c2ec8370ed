/// Every evaluation metric. The raw value is the name used in experiment files (`metrics:`)
/// and in the manifest.
public enum MetricKind: String, CaseIterable, Sendable, Codable, Hashable {
    case confidenceDrop = "confidence_drop"
    case confidenceIncrease = "confidence_increase"
    case road
    case deletion
    case insertion
    case localisation
    case sanityRandomization = "sanity_randomization"
    case faithfulnessCorrelation = "faithfulness_correlation"
    case sparseness
    case maxSensitivity = "max_sensitivity"
    case igCompleteness = "ig_completeness"
    case shapEfficiency = "shap_efficiency"

    /// Implementation version, part of the metric's cache key; bump it when its values change.
    public var version: Int {
        switch self {
        case .localisation: return 3  // 2: tied maxima drawn at random; 3: offset of positive maps removed
        default: return 1
        }
    }

    /// Whether the metric needs ground-truth `annotations:` in the experiment.
    public var needsAnnotations: Bool { self == .localisation }

    /// Whether the metric is defined for results of `method` (completeness and efficiency gaps
    /// exist only for the methods that promise them; no metric applies to synthesised images).
    public func applies(to method: MethodKind) -> Bool {
        guard method.producesAttributionMap else { return false }
        switch self {
        case .igCompleteness: return method == .integratedGradients
        case .shapEfficiency: return method == .kernelShap
        default: return true
        }
    }

    public var summary: String {
        switch self {
        case .confidenceDrop: return "Average Drop: mean of max(0, Y - O) / Y x 100 over images (Y original, O masked target probability)"
        case .confidenceIncrease: return "Increase in Confidence: % of images whose target probability rises on the masked image"
        case .road: return "Remove And Debias: MoRF and LeRF curves with noisy linear imputation, score (LeRF - MoRF) / 2"
        case .deletion: return "area under the target score as the most important pixels are removed"
        case .insertion: return "area under the target score as the most important pixels are inserted into a blurred image"
        case .localisation: return "IoU, energy-based and hit/miss pointing game against annotated boxes or masks"
        case .sanityRandomization: return "rank correlation with the map of a model whose last layers are re-initialised"
        case .faithfulnessCorrelation: return "correlation between attribution sums of random subsets and the score drop they cause"
        case .sparseness: return "Gini index of the absolute attributions"
        case .maxSensitivity: return "largest relative change of the map under small input noise"
        case .igCompleteness: return "|sum of attributions - (f(x) - f(baseline))| of integrated gradients"
        case .shapEfficiency: return "|sum of Shapley values - (f(x) - f(background))| of KernelSHAP"
        }
    }

    public var paper: String {
        switch self {
        case .confidenceDrop, .confidenceIncrease:
            return "Chattopadhyay, Sarkar, Howlader, Balasubramanian. Grad-CAM++. WACV 2018"
        case .road:
            return "Rong, Leemann, Borisov, Kasneci, Kasneci. A Consistent and Efficient Evaluation Strategy for Attribution Methods. ICML 2022"
        case .deletion, .insertion:
            return "Petsiuk, Das, Saenko. RISE: Randomized Input Sampling for Explanation of Black-box Models. BMVC 2018"
        case .localisation:
            return "Selvaraju et al. Grad-CAM. ICCV 2017; Zhang et al. Top-down Neural Attention by Excitation Backprop. ECCV 2016; Wang et al. Score-CAM. 2020"
        case .sanityRandomization:
            return "Adebayo, Gilmer, Muelly, Goodfellow, Hardt, Kim. Sanity Checks for Saliency Maps. NeurIPS 2018"
        case .faithfulnessCorrelation:
            return "Bhatt, Weller, Moura. Evaluating and Aggregating Feature-based Model Explanations. IJCAI 2020"
        case .sparseness:
            return "Chalasani, Chen, Chowdhury, Wu, Jha. Concise Explanations of Neural Networks using Adversarial Training. ICML 2020"
        case .maxSensitivity:
            return "Yeh, Hsieh, Suggala, Inouye, Ravikumar. On the (In)fidelity and Sensitivity of Explanations. NeurIPS 2019"
        case .igCompleteness:
            return "Sundararajan, Taly, Yan. Axiomatic Attribution for Deep Networks. ICML 2017"
        case .shapEfficiency:
            return "Lundberg, Lee. A Unified Approach to Interpreting Model Predictions. NeurIPS 2017"
        }
    }

    /// The metric's parameters with their defaults.
    public var parameters: [ParameterSpec] {
        typealias P = ParameterSpec
        let fill = ["gray", "black", "white", "blur", "mean"]
        let batch = P("batch", .int(.ints(1, 4096)), default: .int(32), "images per forward pass")
        switch self {
        case .confidenceDrop, .confidenceIncrease:
            return [
                P("mode", .choice(["multiply", "keep", "remove"]), default: .string("multiply"),
                  "multiply the image by the normalised map, or keep / remove the top `fraction` of pixels"),
                P("fraction", .double(.openUnit), default: .double(0.5), "share of pixels kept or removed (keep / remove modes)"),
                P("value", .choiceOrNumber(fill, .unit), default: .string("gray"),
                  "fill of the removed pixels (keep / remove modes): named fill or pixel value in [0, 1]"),
            ]
        case .road:
            return [
                P("fractions", .numberList(.openUnit), default: .list([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map { ParamValue.double($0) }),
                  "removal fractions of the MoRF and LeRF curves"),
                P("noise", .double(.nonNegative), default: .double(0.01), "standard deviation of the imputation noise"),
                batch,
            ]
        case .deletion:
            return [
                P("steps", .int(.ints(1, 10_000)), default: .int(50), "points on the curve"),
                P("value", .choice(["gray", "black", "blur"]), default: .string("gray"), "what removed pixels become"),
                batch,
            ]
        case .insertion:
            return [
                P("steps", .int(.ints(1, 10_000)), default: .int(50), "points on the curve"),
                P("value", .choice(["blur", "gray", "black"]), default: .string("blur"), "the image pixels are inserted into"),
                batch,
            ]
        case .localisation:
            return [
                P("threshold", .double(.openUnit), default: .double(0.15), "binarisation level (see `rule`)"),
                P("rule", .choice(["max_fraction", "top_fraction"]), default: .string("max_fraction"),
                  "pixels above threshold x max of the map, or the top threshold share of pixels"),
            ]
        case .sanityRandomization:
            return [
                P("layers", .int(.ints(1, 1000)), default: .int(2), "number of final layers re-initialised, cascading from the logits"),
            ]
        case .faithfulnessCorrelation:
            return [
                P("samples", .int(.ints(2, 100_000)), default: .int(50), "random subsets evaluated"),
                P("subset_size", .int(.ints(1, 1_000_000)), default: .int(224), "pixels per subset"),
                P("value", .choiceOrNumber(fill, .unit), default: .string("gray"), "fill of the subset pixels"),
                batch,
            ]
        case .sparseness, .igCompleteness, .shapEfficiency:
            return []
        case .maxSensitivity:
            return [
                P("samples", .int(.ints(1, 10_000)), default: .int(10), "noisy inputs tried"),
                P("radius", .double(.positive), default: .double(0.02), "noise bound as a fraction of the input range"),
            ]
        }
    }
}
