import XAICore

/// How an image becomes the model's input, as a model card or an experiment writes it.
/// Centre crop (the default): resize the shorter side to `resize` pixels, take the centre
/// `crop` x `crop` square. Whole picture (`crop: none`): resize it to the model's input size,
/// letterboxed (aspect kept, padded with the mean colour; the default) or stretched (`fit`).
/// Then scale pixels to 0...1, subtract `mean` and divide by `std` per channel (RGB order).
/// (XAIImaging's `Preprocess` applies it; this is the file's view.)
public struct PreprocessSpec: Codable, Sendable, Hashable {
    /// Shorter side after resizing, for a centre crop (0 for a whole picture).
    public var resize: Int
    /// Side of the centre square; for a whole picture, the input side assumed when neither the
    /// card nor the model states one.
    public var crop: Int
    public var mean: [Double]
    public var std: [Double]
    /// `crop: none`: how the whole picture is fitted to the input; nil for a centre crop.
    public var fit: ImageFit?
    /// With `fit`: the input [height, width] (the card's `input.size`); nil until the model's
    /// ONNX input gives it.
    public var size: [Int]?
    /// True for a bare .onnx whose card states no size: a model that fixes its input size gets
    /// the crop (or, non-square, the whole picture) that size needs, when it is loaded.
    public var sizeFromModel: Bool?

    public init(resize: Int, crop: Int, mean: [Double], std: [Double], fit: ImageFit? = nil, size: [Int]? = nil) {
        self.resize = resize
        self.crop = crop
        self.mean = mean
        self.std = std
        self.fit = fit
        self.size = size
    }

    /// What `crop:` says for the whole picture.
    public static let wholeImage = "none"

    /// torchvision's ImageNet convention, used for a bare `.onnx` model that has no card.
    public static let imagenet = PreprocessSpec(resize: 256, crop: 224,
                                                mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// The model input [height, width]: the crop square, or the whole picture's size.
    public var inputSize: [Int] { fit == nil ? [crop, crop] : size ?? [crop, crop] }

    /// Whether the model's own input size decides (a bare model, or a whole picture of no stated size).
    public var takesSizeFromModel: Bool { sizeFromModel == true || (fit != nil && size == nil) }

    /// These settings for a model whose input is `height x width`: a size taken from the model is
    /// filled in (a square one as a centre crop with ImageNet's crop ratio 224/256, a non-square
    /// one as the whole picture letterboxed); stated sizes are kept.
    public func fitted(toInputHeight height: Int, width: Int) -> PreprocessSpec {
        guard takesSizeFromModel else { return self }
        var out = self
        out.sizeFromModel = nil
        if fit == nil && height == width {
            out.crop = height
            out.resize = Int((Double(height) * Double(Self.imagenet.resize) / Double(Self.imagenet.crop)).rounded())
        } else {
            out.fit = fit ?? .standard
            out.size = [height, width]
            out.resize = 0
        }
        return out
    }
}
