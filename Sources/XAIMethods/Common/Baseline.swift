import XAICore
import XAIImaging

/// The reference input of integrated gradients (and any method that needs one), defined in
/// pixel space (0...1, before the model's normalisation) and normalised like the image.
public enum Baseline: Sendable, Equatable, CustomStringConvertible {
    /// All pixels 0.
    case black
    /// All pixels 1.
    case white
    /// All pixels 0.5.
    case gray
    /// The image blurred with a Gaussian of standard deviation `Baseline.blurSigmaFraction`
    /// times the shorter image side (about 11 px at 224): keeps colours, removes detail.
    case blur
    /// Independent uniform noise in [0, 1] per sample (seeded).
    case uniform
    /// The image plus Gaussian noise of standard deviation `Baseline.gaussianStd`, clipped to
    /// [0, 1] (seeded), as in Sturmfels et al., Distill 2020.
    case gaussian
    /// Every sample equal to the value (0...1).
    case constant(Float)

    /// Blur standard deviation as a fraction of the shorter image side.
    public static let blurSigmaFraction: Float = 0.05
    /// Standard deviation of the `gaussian` baseline's noise, in pixel units.
    public static let gaussianStd: Float = 0.1

    /// The named baselines, in the words of the parameters that take one.
    static let names = ["black", "white", "gray", "blur", "uniform", "gaussian"]

    /// A parameter taking a named baseline or one pixel value in [0, 1].
    static func parameter(_ name: String, default d: Baseline, _ doc: String) -> Param<ParamValue> {
        Param<ParamValue>(name, .choiceOrNumber(names, .unit), default: Baseline.paramValue(d), doc)
    }

    private static func paramValue(_ b: Baseline) -> ParamValue {
        if case let .constant(v) = b { return .double(Double(v)) }
        return .string(b.description)
    }

    /// The baseline `p` names (the declared type already admits only valid values).
    static func read(_ r: ParameterReader, _ p: Param<ParamValue>) throws -> Baseline {
        guard let b = Baseline(try r[p]) else {
            throw r.invalid(p.name, "expected \(names.joined(separator: " | ")) or a pixel value in [0, 1]")
        }
        return b
    }

    /// Random stream of the baseline a method draws once per explanation (integrated gradients,
    /// DeepLIFT), so both draw the same picture for a seed.
    static let stream: UInt64 = 0x1B

    /// The normalised baseline [1, C, H, W] for `input` (random kinds drawn from the seed's
    /// `stream`); an error naming `method` when the image is not at the model's input size.
    func tensor(for input: ExplanationInput, model: ModelContext, method: MethodKind) throws -> Tensor {
        try Self.checkSize(input, method: method)
        var rng = SeededRandom(seed: input.seed, stream: Self.stream)
        return model.normalize(image(for: input.image, rng: &rng).tensor)
    }

    /// Baselines are pictures of the image's size: an error unless that is the model input's.
    static func checkSize(_ input: ExplanationInput, method: MethodKind) throws {
        guard [3, input.image.height, input.image.width] == Array(input.input.shape.dropFirst()) else {
            throw MethodError.unsuitableModel(
                method: method.rawValue,
                detail: "the image is \(input.image.width)x\(input.image.height) but the model input is \(input.input.shape); the baseline cannot be built")
        }
    }

    /// Whether `image(for:rng:)` draws random numbers (a new picture per draw).
    var isRandom: Bool {
        switch self {
        case .uniform, .gaussian: return true
        default: return false
        }
    }

    /// Parses `black | white | gray | blur | uniform | gaussian` or a number in [0, 1].
    public init?(_ value: ParamValue) {
        if let d = value.numberValue {
            guard d >= 0, d <= 1 else { return nil }
            self = .constant(Float(d))
            return
        }
        switch value.stringValue {
        case "black": self = .black
        case "white": self = .white
        case "gray": self = .gray
        case "blur": self = .blur
        case "uniform": self = .uniform
        case "gaussian": self = .gaussian
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .black: return "black"
        case .white: return "white"
        case .gray: return "gray"
        case .blur: return "blur"
        case .uniform: return "uniform"
        case .gaussian: return "gaussian"
        case .constant(let v): return "\(v)"
        }
    }

    /// The baseline picture for `image` (pixel space). Random kinds draw from `rng`.
    public func image(for image: RGBImage, rng: inout SeededRandom) -> RGBImage {
        let (w, h) = (image.width, image.height)
        switch self {
        case .black: return RGBImage(width: w, height: h, color: (0, 0, 0))
        case .white: return RGBImage(width: w, height: h, color: (1, 1, 1))
        case .gray: return RGBImage(width: w, height: h, color: (0.5, 0.5, 0.5))
        case .constant(let v): return RGBImage(width: w, height: h, color: (v, v, v))
        case .blur:
            return GaussianBlur.apply(image, sigma: Baseline.blurSigmaFraction * Float(min(w, h)))
        case .uniform:
            return RGBImage(width: w, height: h, pixels: rng.uniforms(image.pixels.count))
        case .gaussian:
            let noise = rng.normals(image.pixels.count, std: Baseline.gaussianStd)
            var p = image.pixels
            for i in p.indices { p[i] = min(max(p[i] + noise[i], 0), 1) }
            return RGBImage(width: w, height: h, pixels: p)
        }
    }
}
