import XAICore

/// Classifier input preparation. Centre crop (the default), as torchvision's `Resize(resize)`,
/// `CenterCrop(crop)`, `ToTensor()`, `Normalize(mean, std)` on a PIL image: resize the shorter
/// side to `resize` (antialiased bilinear, PIL-compatible), take the centre `crop x crop`
/// square. Whole image (`crop: none`, `fit` set): the picture resized to fit `height x width`
/// (letterbox: aspect kept, centred, padded with the mean colour; stretch: resized to exactly
/// that size). Then each channel is normalised as `(pixel - mean[c]) / std[c]`, pixels in 0...1.
public struct Preprocess: Sendable, Equatable, Codable {
    /// Target length of the shorter side after resizing (centre crop; 0 for a whole image).
    public var resize: Int
    /// Side of the centre square crop (0 for a whole image).
    public var crop: Int
    /// How a whole image is fitted to the input; nil for a centre crop.
    public var fit: ImageFit?
    /// The network input's height and width (`crop` x `crop` for a centre crop).
    public var height: Int
    public var width: Int
    /// Per-channel mean (R, G, B), on 0...1 pixels.
    public var mean: [Float]
    /// Per-channel standard deviation (R, G, B), on 0...1 pixels; all > 0.
    public var std: [Float]

    /// Validating initialiser of a centre crop: sizes positive, three means, three positive stds.
    public init(resize: Int, crop: Int, mean: [Float], std: [Float]) throws {
        try Preprocess.validate(resize: resize, crop: crop, mean: mean, std: std)
        self.init(unchecked: resize, crop: crop, fit: nil, height: crop, width: crop, mean: mean, std: std)
    }

    /// Validating initialiser of a whole image fitted to `height x width`.
    public init(fit: ImageFit, height: Int, width: Int, mean: [Float], std: [Float]) throws {
        try Preprocess.validate(fit: fit, height: height, width: width, mean: mean, std: std)
        self.init(unchecked: 0, crop: 0, fit: fit, height: height, width: width, mean: mean, std: std)
    }

    private init(unchecked resize: Int, crop: Int, fit: ImageFit?, height: Int, width: Int, mean: [Float], std: [Float]) {
        self.resize = resize
        self.crop = crop
        self.fit = fit
        self.height = height
        self.width = width
        self.mean = mean
        self.std = std
    }

    private enum CodingKeys: String, CodingKey { case resize, crop, fit, height, width, mean, std }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let mean = try c.decode([Float].self, forKey: .mean)
        let std = try c.decode([Float].self, forKey: .std)
        do {
            if let fit = try c.decodeIfPresent(ImageFit.self, forKey: .fit) {
                try self.init(fit: fit, height: try c.decode(Int.self, forKey: .height),
                              width: try c.decode(Int.self, forKey: .width), mean: mean, std: std)
            } else {
                try self.init(resize: try c.decode(Int.self, forKey: .resize), crop: try c.decode(Int.self, forKey: .crop),
                              mean: mean, std: std)
            }
        } catch let error as PreprocessError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }

    /// A centre crop writes `resize` and `crop` (as before whole images existed); a whole image
    /// writes `fit`, `height` and `width`.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let fit {
            try c.encode(fit, forKey: .fit)
            try c.encode(height, forKey: .height)
            try c.encode(width, forKey: .width)
        } else {
            try c.encode(resize, forKey: .resize)
            try c.encode(crop, forKey: .crop)
        }
        try c.encode(mean, forKey: .mean)
        try c.encode(std, forKey: .std)
    }

    /// torchvision's ImageNet setting: 256 / 224, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
    public static let imagenet = Preprocess(unchecked: 256, crop: 224, fit: nil, height: 224, width: 224,
                                            mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// The embedded EfficientNet-Lite0: 256 / 224 and `(255 * pixel - 127) / 128`,
    /// i.e. mean 127/255 and std 128/255 on 0...1 pixels.
    public static let efficientNetLite0 = Preprocess(unchecked: 256, crop: 224, fit: nil, height: 224, width: 224,
                                                     mean: [Float](repeating: 127.0 / 255.0, count: 3),
                                                     std: [Float](repeating: 128.0 / 255.0, count: 3))

    /// Largest accepted `resize`: with `ImageLimits.maxAspectRatio` it bounds the resized image.
    public static let maxResize = 1024
    /// Largest accepted input side of a whole image.
    public static let maxInputSide = 4096

    static func validate(resize: Int, crop: Int, mean: [Float], std: [Float]) throws {
        guard resize > 0, crop > 0 else { throw PreprocessError.badSize(resize: resize, crop: crop) }
        guard resize <= maxResize else { throw PreprocessError.resizeTooLarge(resize: resize) }
        guard crop <= resize else { throw PreprocessError.cropLargerThanResize(resize: resize, crop: crop) }
        try validate(mean: mean, std: std)
    }

    static func validate(fit: ImageFit, height: Int, width: Int, mean: [Float], std: [Float]) throws {
        guard (1...maxInputSide).contains(height), (1...maxInputSide).contains(width) else {
            throw PreprocessError.badInputSize(height: height, width: width)
        }
        try validate(mean: mean, std: std)
    }

    static func validate(mean: [Float], std: [Float]) throws {
        guard mean.count == 3, std.count == 3 else { throw PreprocessError.badChannelCount(mean: mean.count, std: std.count) }
        guard std.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy({ $0.isFinite }) else {
            throw PreprocessError.badStd(std)
        }
    }

    /// The picture the model sees, not normalised (for overlays and galleries): the centre
    /// crop, or the whole image letterboxed or stretched to the input size.
    public func cropped(_ image: RGBImage) -> RGBImage {
        guard fit != nil else { return image.resizeShorterSide(resize).centerCrop(crop) }
        let p = placement(originalWidth: image.width, originalHeight: image.height)
        return image.resize(to: p.width, p.height).placed(at: p.x, p.y, width: width, height: height, fill: mean)
    }

    /// The network input: `[1, 3, height, width]` NCHW float32, normalised.
    public func apply(_ image: RGBImage) -> Tensor {
        normalize(cropped(image))
    }

    /// Normalises an already cropped image to an NCHW `[1, 3, H, W]` tensor.
    public func normalize(_ image: RGBImage) -> Tensor {
        var data = image.pixels
        let n = image.planeCount
        for c in 0..<3 {
            let m = mean[c], s = 1 / std[c]
            for i in (c * n)..<((c + 1) * n) { data[i] = (data[i] - m) * s }
        }
        return Tensor(shape: [1, 3, image.height, image.width], data: data)
    }

    /// Inverse of `normalize`: a `[1, 3, H, W]` or `[3, H, W]` tensor back to 0...1 pixels
    /// (not clipped), e.g. to show a synthesised input.
    public func denormalize(_ tensor: Tensor) throws -> RGBImage {
        var image = try RGBImage(tensor: tensor)
        let n = image.planeCount
        for c in 0..<3 {
            for i in (c * n)..<((c + 1) * n) { image.pixels[i] = image.pixels[i] * std[c] + mean[c] }
        }
        return image
    }
}

/// Invalid preprocessing parameters.
public enum PreprocessError: Error, Equatable, CustomStringConvertible {
    case badSize(resize: Int, crop: Int)
    case resizeTooLarge(resize: Int)
    case cropLargerThanResize(resize: Int, crop: Int)
    case badInputSize(height: Int, width: Int)
    case badChannelCount(mean: Int, std: Int)
    case badStd([Float])

    public var description: String {
        switch self {
        case .badSize(let r, let c):
            return "preprocess: resize (\(r)) and crop (\(c)) must be positive"
        case .resizeTooLarge(let r):
            return "preprocess: resize (\(r)) is over the limit \(Preprocess.maxResize); a thin image resized that far "
                + "would need gigabytes. Use a resize of at most \(Preprocess.maxResize)"
        case .cropLargerThanResize(let r, let c):
            return "preprocess: crop (\(c)) is larger than resize (\(r)); the crop would include black borders. Use crop <= resize"
        case .badInputSize(let h, let w):
            return "preprocess: the input size \(h)x\(w) must have sides from 1 to \(Preprocess.maxInputSide)"
        case .badChannelCount(let m, let s):
            return "preprocess: mean and std need 3 values each (R, G, B), got \(m) and \(s)"
        case .badStd(let s):
            return "preprocess: std values must be positive and finite, got \(s)"
        }
    }
}
