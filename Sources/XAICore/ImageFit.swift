/// How a whole picture (`crop: none`) is brought to a model's input size.
public enum ImageFit: String, Sendable, Codable, CaseIterable, Hashable {
    /// Keep the aspect ratio: resize to fit inside the input, centre it, pad the rest with the
    /// normalisation mean (0 after normalising). The default: nothing is cut and nothing distorted.
    case letterbox
    /// Resize to exactly the input size, distorting the aspect ratio.
    case stretch

    /// The fit `crop: none` uses when none is named.
    public static let standard = ImageFit.letterbox
}
