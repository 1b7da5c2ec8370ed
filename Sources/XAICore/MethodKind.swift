/// Every explanation method the tool knows. The raw value is the key used in experiment files,
/// the CLI argument and the method registry's `switch`, so adding a method starts here.
public enum MethodKind: String, CaseIterable, Sendable, Codable, Hashable {
    case saliency
    case integratedGradients = "integrated_gradients"
    case smoothgrad
    case guidedBackprop = "guided_backprop"
    case cam
    case gradcam
    case gradcamPlusPlus = "gradcam_plus_plus"
    case hirescam
    case guidedGradcam = "guided_gradcam"
    case scorecam
    case dff
    case activationMaximization = "activation_maximization"
    case deepdream
    case occlusion
    case lime
    case kernelShap = "kernel_shap"
    case rise
    case anchors
    case extremalPerturbation = "extremal_perturbation"

    /// How a method works, for grouping in listings and the gallery.
    public enum Family: String, CaseIterable, Sendable, Codable {
        case gradient
        case cam
        case perturbation
        case visualisation
        case factorisation
    }

    public var family: Family {
        switch self {
        case .saliency, .integratedGradients, .smoothgrad, .guidedBackprop: return .gradient
        case .cam, .gradcam, .gradcamPlusPlus, .hirescam, .guidedGradcam, .scorecam: return .cam
        case .dff: return .factorisation
        case .activationMaximization, .deepdream: return .visualisation
        case .occlusion, .lime, .kernelShap, .rise, .anchors, .extremalPerturbation: return .perturbation
        }
    }

    /// Whether the method reads the activations of the model's target layer (its `target_layer`
    /// parameter, or the model's when that is empty). Deep Dream uses it when `layer` is empty.
    public var needsTargetLayer: Bool {
        switch family {
        case .cam, .factorisation: return true
        default: return self == .deepdream
        }
    }

    /// False for methods whose result does not depend on the explained class (DFF names its
    /// concepts by their own top labels; Deep Dream amplifies a layer): with `top_k` > 1 they
    /// run once per image, for the top class.
    public var usesTarget: Bool {
        self != .dff && self != .deepdream
    }

    /// False for methods whose output is a synthesised picture rather than an attribution map
    /// over the input (metrics do not apply to them).
    public var producesAttributionMap: Bool {
        family != .visualisation
    }

    /// Implementation version, part of every cache key of this method's results. Bump it when a
    /// change alters the method's output, so only this method's cached results are recomputed.
    public var version: Int {
        switch self {
        case .anchors: return 2               // 2: samples count only for supersets of what they were drawn for
        case .extremalPerturbation: return 3  // 2: smooth mask, growing area weight, blur pyramid; 3: games
        default: return 1
        }
    }

    /// One line describing the method.
    public var summary: String {
        switch self {
        case .saliency: return "gradient of the target score with respect to the input pixels"
        case .integratedGradients: return "gradients integrated along a straight path from a baseline to the input"
        case .smoothgrad: return "a gradient method averaged over noisy copies of the input"
        case .guidedBackprop: return "gradient where ReLUs pass only positive gradients through positive activations"
        case .cam: return "class activation map: final linear layer weights times target-layer activations"
        case .gradcam: return "target-layer activations weighted by their spatially averaged gradients"
        case .gradcamPlusPlus: return "Grad-CAM with weights from second- and third-order gradient terms"
        case .hirescam: return "element-wise product of target-layer gradients and activations, summed over channels"
        case .guidedGradcam: return "guided backpropagation multiplied by the upsampled Grad-CAM map"
        case .scorecam: return "target-layer channels weighted by the class probability of the input masked by each channel"
        case .dff: return "non-negative matrix factorisation of target-layer activations into concepts"
        case .activationMaximization: return "synthesises an input that maximises a class logit or a channel"
        case .deepdream: return "amplifies what a layer responds to, over several image scales"
        case .occlusion: return "drop of the target score when a sliding window of the input is hidden"
        case .lime: return "weighted linear surrogate fitted on superpixels switched on and off"
        case .kernelShap: return "Shapley values of superpixels estimated with the Shapley kernel"
        case .rise: return "random masks weighted by the target score they leave"
        case .anchors: return "smallest set of superpixels that keeps the prediction with high precision"
        case .extremalPerturbation: return "optimised smooth mask of fixed area that keeps the target score highest (or, deleted, drops it most)"
        }
    }

    /// The paper the method comes from.
    public var paper: String {
        switch self {
        case .saliency:
            return "Simonyan, Vedaldi, Zisserman. Deep Inside Convolutional Networks: Visualising Image Classification Models and Saliency Maps. ICLR Workshop 2014"
        case .integratedGradients:
            return "Sundararajan, Taly, Yan. Axiomatic Attribution for Deep Networks. ICML 2017"
        case .smoothgrad:
            return "Smilkov, Thorat, Kim, Viegas, Wattenberg. SmoothGrad: removing noise by adding noise. 2017"
        case .guidedBackprop:
            return "Springenberg, Dosovitskiy, Brox, Riedmiller. Striving for Simplicity: The All Convolutional Net. ICLR Workshop 2015"
        case .cam:
            return "Zhou, Khosla, Lapedriza, Oliva, Torralba. Learning Deep Features for Discriminative Localization. CVPR 2016"
        case .gradcam, .guidedGradcam:
            return "Selvaraju, Cogswell, Das, Vedantam, Parikh, Batra. Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization. ICCV 2017"
        case .gradcamPlusPlus:
            return "Chattopadhyay, Sarkar, Howlader, Balasubramanian. Grad-CAM++: Generalized Gradient-based Visual Explanations for Deep Convolutional Networks. WACV 2018"
        case .hirescam:
            return "Draelos, Carin. Use HiResCAM instead of Grad-CAM for faithful explanations of convolutional neural networks. 2020"
        case .scorecam:
            return "Wang, Wang, Du, Yang, Zhang, Ding, Mardziel, Hu. Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks. CVPR Workshops 2020"
        case .dff:
            return "Collins, Achanta, Suesstrunk. Deep Feature Factorization for Concept Discovery. ECCV 2018"
        case .activationMaximization:
            return "Erhan, Bengio, Courville, Vincent. Visualizing Higher-Layer Features of a Deep Network. 2009; Olah, Mordvintsev, Schubert. Feature Visualization. Distill 2017"
        case .deepdream:
            return "Mordvintsev, Olah, Tyka. Inceptionism: Going Deeper into Neural Networks. Google Research Blog 2015"
        case .occlusion:
            return "Zeiler, Fergus. Visualizing and Understanding Convolutional Networks. ECCV 2014"
        case .lime:
            return "Ribeiro, Singh, Guestrin. \"Why Should I Trust You?\": Explaining the Predictions of Any Classifier. KDD 2016"
        case .kernelShap:
            return "Lundberg, Lee. A Unified Approach to Interpreting Model Predictions. NeurIPS 2017"
        case .rise:
            return "Petsiuk, Das, Saenko. RISE: Randomized Input Sampling for Explanation of Black-box Models. BMVC 2018"
        case .anchors:
            return "Ribeiro, Singh, Guestrin. Anchors: High-Precision Model-Agnostic Explanations. AAAI 2018"
        case .extremalPerturbation:
            return "Fong, Patrick, Vedaldi. Understanding Deep Networks via Extremal Perturbations and Smooth Masks. ICCV 2019"
        }
    }

    /// The kinds smoothgrad can wrap (its `base` parameter).
    public static let smoothgradBases: [MethodKind] = [.saliency, .integratedGradients, .guidedBackprop]

    /// The declaration of `name` for this method, if it has one.
    public func parameter(named name: String) -> ParameterSpec? {
        parameters.first { $0.name == name }
    }
}
