import XAICore
import XAIImaging
import XAIMethods

/// What removed pixels become (the metrics' `value` parameters), in pixel space 0...1.
enum Fill: Sendable, Equatable, CustomStringConvertible {
    /// The named fills of the `value` parameters that take any of them.
    static let names = ["gray", "black", "white", "blur", "mean"]

    case gray
    case black
    case white
    /// The image blurred like the `blur` baseline of the methods (Gaussian, sigma 5% of the
    /// shorter side, `Baseline.blurSigmaFraction`), so removed pixels keep colours, not detail.
    case blur
    /// The per-channel mean of the image.
    case mean
    /// Every sample equal to the value.
    case constant(Float)

    init?(_ value: ParamValue) {
        if let d = value.numberValue {
            guard d >= 0, d <= 1 else { return nil }
            self = .constant(Float(d))
            return
        }
        switch value.stringValue {
        case "gray": self = .gray
        case "black": self = .black
        case "white": self = .white
        case "blur": self = .blur
        case "mean": self = .mean
        default: return nil
        }
    }

    var description: String {
        switch self {
        case .gray: return "gray"
        case .black: return "black"
        case .white: return "white"
        case .blur: return "blur"
        case .mean: return "mean"
        case .constant(let v): return "\(v)"
        }
    }

    /// The fill picture for `image` (same size).
    func image(for image: RGBImage) -> RGBImage {
        let (w, h) = (image.width, image.height)
        switch self {
        case .gray: return RGBImage(width: w, height: h, color: (0.5, 0.5, 0.5))
        case .black: return RGBImage(width: w, height: h, color: (0, 0, 0))
        case .white: return RGBImage(width: w, height: h, color: (1, 1, 1))
        case .constant(let v): return RGBImage(width: w, height: h, color: (v, v, v))
        case .blur: return GaussianBlur.apply(image, sigma: Baseline.blurSigmaFraction * Float(min(w, h)))
        case .mean:
            let n = max(image.planeCount, 1)
            var m = [Float](repeating: 0, count: 3)
            for c in 0..<3 {
                var s = 0.0
                for i in (c * image.planeCount)..<((c + 1) * image.planeCount) { s += Double(image.pixels[i]) }
                m[c] = Float(s / Double(n))
            }
            return RGBImage(width: w, height: h, color: (m[0], m[1], m[2]))
        }
    }

    /// The fill picture for the metric's image, `image(for:)`'s bit for bit. A blur, the one fill
    /// that costs (about 10 ms at 224 x 224), is made once per image and shared through the
    /// intermediate cache under the image's key: every insertion task of an image blurs it
    /// alike (21 maps per image in compare-methods). A cached tensor of another shape, or with
    /// values that are not finite, counts as absent.
    func image(for input: MetricInput, model: ModelContext) -> RGBImage {
        let image = input.image
        guard case .blur = self, let imageKey = input.imageKey, let cache = model.cache else { return self.image(for: image) }
        let key = cacheKey(image: imageKey), shape = [3, image.height, image.width]
        if let t = cache.load(key, shape: shape) {
            return RGBImage(width: image.width, height: image.height, pixels: t.data)
        }
        let picture = self.image(for: image)
        cache.store(key, Tensor(shape: shape, data: picture.pixels))
        return picture
    }

    /// The intermediate cache's key of this fill's picture of the image `imageKey` names.
    func cacheKey(image imageKey: String) -> String { "metric-fill/v1/\(imageKey)/\(self)" }
}
