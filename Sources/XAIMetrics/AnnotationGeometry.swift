import XAICore
import XAIImaging

/// Maps ground-truth annotations from the original image to the model's input, following the
/// preprocessing exactly through `Preprocess.placement`: the picture resized (shorter side to
/// `resize` for a centre crop, fitted for a whole image) and placed in the input, cut by a
/// centre crop or padded by a letterbox.
public enum AnnotationGeometry {
    /// A box `[x0, y0, x1, y1]` in original-image pixels (pixel (x, y) covers [x, x+1) x [y, y+1))
    /// in input coordinates, clamped to the input; a box outside it comes back empty
    /// (x0 == x1 or y0 == y1).
    public static func box(_ b: [Double], originalWidth: Int, originalHeight: Int, preprocess: Preprocess) -> [Double] {
        precondition(b.count == 4, "a box is [x0, y0, x1, y1], got \(b.count) values")
        let p = preprocess.placement(originalWidth: originalWidth, originalHeight: originalHeight)
        let sx = Double(p.width) / Double(max(originalWidth, 1)), sy = Double(p.height) / Double(max(originalHeight, 1))
        let ox = Double(p.x), oy = Double(p.y)
        func clamp(_ v: Double, _ side: Int) -> Double { min(max(v, 0), Double(side)) }
        return [clamp(b[0] * sx + ox, preprocess.width), clamp(b[1] * sy + oy, preprocess.height),
                clamp(b[2] * sx + ox, preprocess.width), clamp(b[3] * sy + oy, preprocess.height)]
    }

    /// A mask over the original image (row-major, `originalWidth x originalHeight`) as a mask over
    /// the input: each input pixel takes the value of the original pixel under its centre
    /// (false in a letterbox's padding).
    public static func mask(_ m: [Bool], originalWidth: Int, originalHeight: Int, preprocess: Preprocess) -> [Bool] {
        precondition(m.count == originalWidth * originalHeight, "mask of \(m.count) pixels for a \(originalWidth)x\(originalHeight) image")
        let p = preprocess.placement(originalWidth: originalWidth, originalHeight: originalHeight)
        let sx = Double(originalWidth) / Double(p.width), sy = Double(originalHeight) / Double(p.height)
        let (w, h) = (preprocess.width, preprocess.height)
        var out = [Bool](repeating: false, count: w * h)
        for y in 0..<h {
            let oyPix = Int(((Double(y - p.y) + 0.5) * sy).rounded(.down))
            guard y >= p.y, oyPix >= 0, oyPix < originalHeight else { continue }
            for x in 0..<w {
                let oxPix = Int(((Double(x - p.x) + 0.5) * sx).rounded(.down))
                guard x >= p.x, oxPix >= 0, oxPix < originalWidth else { continue }
                out[y * w + x] = m[oyPix * originalWidth + oxPix]
            }
        }
        return out
    }
}
