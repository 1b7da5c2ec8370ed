import XAICore

extension Preprocess {
    /// Where the original picture lands in the model's input: resized to `width x height`, its
    /// top-left corner at (`x`, `y`) of the input (negative where a centre crop cuts it).
    /// Annotations and anything else in original-image pixels map through it.
    public struct Placement: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var x: Int
        public var y: Int
    }

    /// The placement of an `originalWidth x originalHeight` picture.
    public func placement(originalWidth: Int, originalHeight: Int) -> Placement {
        switch fit {
        case nil:
            let (w, h) = RGBImage.shorterSideSize(width: originalWidth, height: originalHeight, size: resize)
            return Placement(width: w, height: h, x: -RGBImage.centerCropOffset(w, crop), y: -RGBImage.centerCropOffset(h, crop))
        case .stretch?:
            return Placement(width: width, height: height, x: 0, y: 0)
        case .letterbox?:
            // The larger scale that fits both sides; the other side rounded, at least 1 pixel.
            let scale = min(Double(width) / Double(max(originalWidth, 1)), Double(height) / Double(max(originalHeight, 1)))
            let w = min(width, max(1, Int((Double(originalWidth) * scale).rounded())))
            let h = min(height, max(1, Int((Double(originalHeight) * scale).rounded())))
            return Placement(width: w, height: h, x: (width - w) / 2, y: (height - h) / 2)
        }
    }
}

extension RGBImage {
    /// This picture on a `width x height` canvas of colour `fill` (R, G, B), its top-left corner
    /// at (`x`, `y`); parts outside the canvas are cut.
    func placed(at x0: Int, _ y0: Int, width cw: Int, height ch: Int, fill: [Float]) -> RGBImage {
        let m = cw * ch, n = width * height
        var out = [Float](repeating: 0, count: 3 * m)
        for c in 0..<3 {
            for i in (c * m)..<((c + 1) * m) { out[i] = fill[c] }
        }
        let xs = Swift.max(0, -x0), xe = Swift.min(width, cw - x0)
        guard xs < xe else { return RGBImage(width: cw, height: ch, pixels: out) }
        for c in 0..<3 {
            for y in Swift.max(0, -y0)..<Swift.max(Swift.max(0, -y0), Swift.min(height, ch - y0)) {
                let s = c * n + y * width, d = c * m + (y + y0) * cw + x0
                for x in xs..<xe { out[d + x] = pixels[s + x] }
            }
        }
        return RGBImage(width: cw, height: ch, pixels: out)
    }
}
