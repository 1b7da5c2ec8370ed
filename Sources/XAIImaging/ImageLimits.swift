/// Limits checked against a file's size and an image header before anything is allocated, so
/// a hostile or mistaken file cannot make the process allocate gigabytes.
///
/// The aspect ratio bounds what preprocessing allocates too: resizing the shorter side to
/// `Preprocess.maxResize` gives at most `maxResize x (maxResize * maxAspectRatio)` pixels
/// (1024 x 32768, 400 MB as planar float RGB, with the defaults; 25 MB at the usual 256).
public struct ImageLimits: Sendable, Equatable {
    /// Largest accepted width or height.
    public var maxSide: Int
    /// Largest accepted width x height.
    public var maxPixels: Int
    /// Largest accepted ratio of the longer side to the shorter one; 0 means unlimited.
    public var maxAspectRatio: Int
    /// Largest accepted file, in bytes.
    public var maxFileBytes: Int

    public init(maxSide: Int, maxPixels: Int, maxAspectRatio: Int = 32, maxFileBytes: Int = 512 << 20) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.maxAspectRatio = maxAspectRatio
        self.maxFileBytes = maxFileBytes
    }

    /// 16384 pixels per side, 100 megapixels (1.2 GB once planar float RGB), 32:1 and 512 MiB files.
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
