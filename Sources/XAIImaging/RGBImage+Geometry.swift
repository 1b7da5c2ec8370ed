extension RGBImage {
    /// Resized to `width x height` with PIL-compatible antialiased resampling (see `Resampler`).
    /// Values stay within 0...1 (clipped after each pass like an 8-bit image).
    public func resize(to width: Int, _ height: Int, filter: ResizeFilter = .bilinear) -> RGBImage {
        if width == self.width && height == self.height { return self }
        let p = Resampler.resize(pixels, planes: 3, width: self.width, height: self.height,
                                 outWidth: width, outHeight: height, filter: filter, clamp: true)
        return RGBImage(width: width, height: height, pixels: p)
    }

    /// Resized so that the shorter side is `size`, keeping the aspect ratio the way
    /// torchvision's `Resize(size)` does: the longer side becomes `floor(size * long / short)`.
    public func resizeShorterSide(_ size: Int, filter: ResizeFilter = .bilinear) -> RGBImage {
        let (w, h) = RGBImage.shorterSideSize(width: width, height: height, size: size)
        return resize(to: w, h, filter: filter)
    }

    /// Output size of `resizeShorterSide`. The longer side is rounded to the nearest pixel
    /// (torchvision truncates): only rounding reproduces the embedded model's published
    /// reference probabilities (Weights/README.md).
    public static func shorterSideSize(width: Int, height: Int, size: Int) -> (width: Int, height: Int) {
        if width <= height {
            return (size, Int((Double(size * height) / Double(width)).rounded()))
        }
        return (Int((Double(size * width) / Double(height)).rounded()), size)
    }

    /// The `size x size` centre crop (see `centerCrop(width:height:)`).
    public func centerCrop(_ size: Int) -> RGBImage {
        centerCrop(width: size, height: size)
    }

    /// The centre crop, offset `floor((side - crop) / 2)` as in the reference preprocessing of the
    /// embedded model (Weights/README.md); when the crop is larger
    /// than the image, the image is centred and the border is filled with black (0).
    public func centerCrop(width cw: Int, height ch: Int) -> RGBImage {
        crop(x: Self.centerCropOffset(width, cw), y: Self.centerCropOffset(height, ch), width: cw, height: ch)
    }

    /// Left / top offset of a centre `crop` of a `side`-pixel side: floor((side - crop) / 2),
    /// negative (the image centred) when the crop is larger.
    public static func centerCropOffset(_ side: Int, _ crop: Int) -> Int {
        crop > side ? -((crop - side) / 2) : (side - crop) / 2
    }

    /// The `width x height` window whose top-left corner is at (`x`, `y`); parts outside
    /// the image are black (0).
    public func crop(x x0: Int, y y0: Int, width cw: Int, height ch: Int) -> RGBImage {
        precondition(cw >= 0 && ch >= 0)
        let n = width * height, m = cw * ch
        var out = [Float](repeating: 0, count: 3 * m)
        let xs = Swift.max(0, -x0), xe = Swift.min(cw, width - x0)
        guard xs < xe else { return RGBImage(width: cw, height: ch, pixels: out) }
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for y in 0..<ch {
                        let sy = y + y0
                        guard sy >= 0 && sy < height else { continue }
                        let s = c * n + sy * width + x0, d = c * m + y * cw
                        for x in xs..<xe { dst[d + x] = src[s + x] }
                    }
                }
            }
        }
        return RGBImage(width: cw, height: ch, pixels: out)
    }
}
