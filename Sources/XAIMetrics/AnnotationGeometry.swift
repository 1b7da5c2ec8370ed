import XAICore
import XAIImaging

/// Maps ground-truth annotations from the original image to the model's crop, following the
/// preprocessing exactly: the shorter side resized to `preprocess.resize` (the longer side
/// rounded, `RGBImage.shorterSideSize`), then the centre `crop x crop` square taken at offset
/// floor((side - crop) / 2) (`RGBImage.centerCrop`).
public enum AnnotationGeometry {
    /// A box `[x0, y0, x1, y1]` in original-image pixels (pixel (x, y) covers [x, x+1) x [y, y+1))
    /// in crop coordinates, clamped to the crop [0, crop]; a box outside the crop comes back empty
    /// (x0 == x1 or y0 == y1).
    public static func box(_ b: [Double], originalWidth: Int, originalHeight: Int, preprocess: Preprocess) -> [Double] {
        precondition(b.count == 4, "a box is [x0, y0, x1, y1], got \(b.count) values")
        let (rw, rh) = RGBImage.shorterSideSize(width: originalWidth, height: originalHeight, size: preprocess.resize)
        let sx = Double(rw) / Double(max(originalWidth, 1)), sy = Double(rh) / Double(max(originalHeight, 1))
        let ox = Double(cropOffset(rw, preprocess.crop)), oy = Double(cropOffset(rh, preprocess.crop))
        let c = Double(preprocess.crop)
        func clamp(_ v: Double) -> Double { min(max(v, 0), c) }
        return [clamp(b[0] * sx - ox), clamp(b[1] * sy - oy), clamp(b[2] * sx - ox), clamp(b[3] * sy - oy)]
    }

    /// A mask over the original image (row-major, `originalWidth x originalHeight`) as a mask over
    /// the crop: each crop pixel takes the value of the original pixel under its centre.
    public static func mask(_ m: [Bool], originalWidth: Int, originalHeight: Int, preprocess: Preprocess) -> [Bool] {
        precondition(m.count == originalWidth * originalHeight, "mask of \(m.count) pixels for a \(originalWidth)x\(originalHeight) image")
        let (rw, rh) = RGBImage.shorterSideSize(width: originalWidth, height: originalHeight, size: preprocess.resize)
        let sx = Double(originalWidth) / Double(rw), sy = Double(originalHeight) / Double(rh)
        let ox = cropOffset(rw, preprocess.crop), oy = cropOffset(rh, preprocess.crop)
        let c = preprocess.crop
        var out = [Bool](repeating: false, count: c * c)
        for y in 0..<c {
            let oyPix = Int(((Double(y + oy) + 0.5) * sy).rounded(.down))
            guard oyPix >= 0, oyPix < originalHeight else { continue }
            for x in 0..<c {
                let oxPix = Int(((Double(x + ox) + 0.5) * sx).rounded(.down))
                guard oxPix >= 0, oxPix < originalWidth else { continue }
                out[y * c + x] = m[oyPix * originalWidth + oxPix]
            }
        }
        return out
    }

    /// Left / top offset of the centre crop, as `RGBImage.centerCrop` takes it.
    static func cropOffset(_ side: Int, _ crop: Int) -> Int {
        crop > side ? -((crop - side) / 2) : (side - crop) / 2
    }
}
