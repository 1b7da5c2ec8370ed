import Foundation

extension Overlay {
    /// Draws segment boundaries: every pixel with a 4-neighbour of another label takes
    /// `color` (RGB 0...1), giving lines two pixels wide between segments.
    /// `labels` is row-major `height x width` and must match the image size.
    public static func drawBoundaries(labels: [Int32], width: Int, height: Int, on image: RGBImage,
                                      color: (Float, Float, Float) = (1, 1, 0)) -> RGBImage {
        precondition(labels.count == width * height && image.width == width && image.height == height,
                     "drawBoundaries: \(labels.count) labels for \(width)x\(height) on \(image.width)x\(image.height)")
        var out = image
        for y in 0..<height {
            for x in 0..<width {
                let l = labels[y * width + x]
                let edge = (x > 0 && labels[y * width + x - 1] != l) || (x + 1 < width && labels[y * width + x + 1] != l)
                    || (y > 0 && labels[(y - 1) * width + x] != l) || (y + 1 < height && labels[(y + 1) * width + x] != l)
                if edge { out.set(x: x, y: y, color) }
            }
        }
        return out
    }

    /// Each label painted in its own colour (`labelColor`), e.g. to save a segmentation.
    public static func labelImage(labels: [Int32], width: Int, height: Int) -> RGBImage {
        precondition(labels.count == width * height)
        var out = RGBImage(width: width, height: height, color: (0, 0, 0))
        var cache: [Int32: (Float, Float, Float)] = [:]
        for y in 0..<height {
            for x in 0..<width {
                let l = labels[y * width + x]
                let c = cache[l] ?? labelColor(Int(l))
                cache[l] = c
                out.set(x: x, y: y, c)
            }
        }
        return out
    }

    /// A distinct, deterministic colour per label: hues step by the golden ratio so that
    /// neighbouring label numbers get far-apart hues; saturation and value alternate.
    public static func labelColor(_ label: Int) -> (Float, Float, Float) {
        let golden = 0.618033988749895
        var h = (Double(label) * golden).truncatingRemainder(dividingBy: 1)
        if h < 0 { h += 1 }
        let s: Double = label % 2 == 0 ? 0.85 : 0.6
        let v: Double = (label / 2) % 2 == 0 ? 0.95 : 0.75
        return hsvToRGB(h, s, v)
    }

    /// HSV (all 0...1) to RGB (0...1).
    public static func hsvToRGB(_ h: Double, _ s: Double, _ v: Double) -> (Float, Float, Float) {
        let h6 = (h - floor(h)) * 6
        let i = Int(h6) % 6
        let f = h6 - floor(h6)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let rgb: (Double, Double, Double)
        switch i {
        case 0: rgb = (v, t, p)
        case 1: rgb = (q, v, p)
        case 2: rgb = (p, v, t)
        case 3: rgb = (p, q, v)
        case 4: rgb = (t, p, v)
        default: rgb = (v, p, q)
        }
        return (Float(rgb.0), Float(rgb.1), Float(rgb.2))
    }
}
