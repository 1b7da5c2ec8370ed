import XAICore

/// An RGB image held as planar float32 samples: three planes (R, G, B), each `height` rows
/// of `width` values, values nominally in 0...1. The layout is exactly a CHW tensor, so an
/// image becomes the `[1, 3, H, W]` input of a network without reordering.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Planar CHW samples: `pixels[c * width * height + y * width + x]`.
    public var pixels: [Float]

    /// Creates an image from planar CHW samples; `pixels.count` must be `3 * width * height`.
    public init(width: Int, height: Int, pixels: [Float]) {
        precondition(width >= 0 && height >= 0 && pixels.count == 3 * width * height,
                     "RGBImage \(width)x\(height) needs \(3 * width * height) samples, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A constant-colour image.
    public init(width: Int, height: Int, color: (Float, Float, Float)) {
        let n = width * height
        var p = [Float](repeating: color.0, count: 3 * n)
        for i in n..<(2 * n) { p[i] = color.1 }
        for i in (2 * n)..<(3 * n) { p[i] = color.2 }
        self.init(width: width, height: height, pixels: p)
    }

    /// Creates an image from interleaved 8-bit RGB (`r, g, b, r, g, b, ...`, rows top to bottom),
    /// mapping 0...255 to 0...1.
    public init(width: Int, height: Int, interleavedRGB8 bytes: [UInt8]) {
        precondition(bytes.count == 3 * width * height,
                     "interleaved RGB \(width)x\(height) needs \(3 * width * height) bytes, got \(bytes.count)")
        let n = width * height
        var p = [Float](repeating: 0, count: 3 * n)
        let scale: Float = 1 / 255
        bytes.withUnsafeBufferPointer { src in
            p.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    dst[i] = Float(src[3 * i]) * scale
                    dst[n + i] = Float(src[3 * i + 1]) * scale
                    dst[2 * n + i] = Float(src[3 * i + 2]) * scale
                }
            }
        }
        self.init(width: width, height: height, pixels: p)
    }

    /// Interleaved 8-bit RGB, each sample clamped to 0...1 and rounded to the nearest of 0...255.
    public func interleavedRGB8() -> [UInt8] {
        let n = width * height
        var out = [UInt8](repeating: 0, count: 3 * n)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for i in 0..<n { dst[3 * i + c] = RGBImage.quantize(src[c * n + i]) }
                }
            }
        }
        return out
    }

    /// The image as a `[1, 3, height, width]` NCHW tensor (samples unchanged).
    public var tensor: Tensor {
        Tensor(shape: [1, 3, height, width], data: pixels)
    }

    /// Creates an image from a `[1, 3, H, W]` or `[3, H, W]` tensor (samples unchanged).
    public init(tensor: Tensor) throws {
        let s = tensor.shape
        let dims: [Int]
        if s.count == 4 && s[0] == 1 { dims = Array(s.dropFirst()) } else { dims = s }
        guard dims.count == 3, dims[0] == 3 else { throw ImageError.badTensorShape(s) }
        self.init(width: dims[2], height: dims[1], pixels: tensor.data)
    }

    /// Number of samples in one plane.
    public var planeCount: Int { width * height }

    /// The (r, g, b) samples at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (Float, Float, Float) {
        let n = width * height, i = y * width + x
        return (pixels[i], pixels[n + i], pixels[2 * n + i])
    }

    /// Sets the pixel at (`x`, `y`).
    public mutating func set(x: Int, y: Int, _ rgb: (Float, Float, Float)) {
        let n = width * height, i = y * width + x
        pixels[i] = rgb.0
        pixels[n + i] = rgb.1
        pixels[2 * n + i] = rgb.2
    }

    /// Clamps to 0...1 and rounds half up to 0...255, the way an 8-bit encoder stores it.
    @inline(__always)
    static func quantize(_ v: Float) -> UInt8 {
        let c = v.isNaN ? 0 : Swift.min(Swift.max(v, 0), 1)
        return UInt8(c * 255 + 0.5)
    }
}
