/// Size limits checked against an image header before any pixel buffer is allocated, so a
/// hostile or mistaken file cannot make the process allocate gigabytes.
public struct ImageLimits: Sendable, Equatable {
    /// Largest accepted width or height.
    public var maxSide: Int
    /// Largest accepted width x height.
    public var maxPixels: Int

    public init(maxSide: Int, maxPixels: Int) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
    }

    /// 16384 pixels per side and 100 megapixels (1.2 GB once planar float RGB).
    public static let `default` = ImageLimits(maxSide: 16384, maxPixels: 100_000_000)
}

/// What decoding does with an alpha channel (PNG gray+alpha, RGBA, palette or gray with tRNS).
public enum AlphaPolicy: Sendable, Equatable {
    /// Ignore alpha and keep the stored colour, like PIL's `convert("RGB")` that torchvision
    /// pipelines apply, so model inputs match the reference preprocessing. The default.
    case drop
    /// Blend over a background colour (0...1 RGB): `c * a + background * (1 - a)`.
    case composite(over: (Float, Float, Float))

    public static func == (a: AlphaPolicy, b: AlphaPolicy) -> Bool {
        switch (a, b) {
        case (.drop, .drop): return true
        case let (.composite(x), .composite(y)): return x == y
        default: return false
        }
    }
}
