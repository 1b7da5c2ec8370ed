extension RGBImage {
    /// Returns the image as it should be displayed given an EXIF orientation tag (1...8),
    /// the same transform as PIL's `ImageOps.exif_transpose`:
    /// 1 as stored, 2 mirrored left-right, 3 rotated 180, 4 mirrored top-bottom,
    /// 5 transposed (x and y swapped), 6 rotated 90 clockwise, 7 transversed,
    /// 8 rotated 90 counter-clockwise. Orientations 5...8 swap width and height.
    /// Values outside 1...8 leave the image unchanged.
    public func applyingEXIFOrientation(_ orientation: Int) -> RGBImage {
        guard (2...8).contains(orientation) else { return self }
        let w = width, h = height
        let swaps = orientation >= 5
        let ow = swaps ? h : w, oh = swaps ? w : h
        // Source column and row for each destination (x, y).
        let source: (Int, Int) -> (Int, Int)
        switch orientation {
        case 2: source = { x, y in (w - 1 - x, y) }
        case 3: source = { x, y in (w - 1 - x, h - 1 - y) }
        case 4: source = { x, y in (x, h - 1 - y) }
        case 5: source = { x, y in (y, x) }
        case 6: source = { x, y in (y, h - 1 - x) }
        case 7: source = { x, y in (w - 1 - y, h - 1 - x) }
        default: source = { x, y in (w - 1 - y, x) }
        }
        let n = w * h
        var out = [Float](repeating: 0, count: 3 * n)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    for x in 0..<ow {
                        let (sx, sy) = source(x, y)
                        let s = sy * w + sx, d = y * ow + x
                        dst[d] = src[s]
                        dst[n + d] = src[n + s]
                        dst[2 * n + d] = src[2 * n + s]
                    }
                }
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }
}
