import XAIImaging

/// The combined DFF picture: every pixel takes the colour of its strongest concept, with HSV
/// brightness equal to that concept's weight (0...1), blended over the image with `alpha`.
/// Pixels where every concept is 0 show the image darkened by `alpha`, like a weight-0 colour.
enum ConceptPicture {
    /// `maps` is [concepts, height, width] with values in 0...1 (DFF scales each concept to max 1).
    static func render(maps: [Float], concepts k: Int, width w: Int, height h: Int, over image: RGBImage,
                       alpha: Float) -> RGBImage {
        let plane = w * h
        let sameSize = image.width == w && image.height == h
        var out = [Float](repeating: 0, count: 3 * plane)
        let colors = (0..<k).map { DeepFeatureFactorization.conceptColor($0, of: k) }
        for i in 0..<plane {
            var best = 0
            var weight = maps[i]
            for j in 1..<max(k, 1) where maps[j * plane + i] > weight {
                weight = maps[j * plane + i]
                best = j
            }
            let v = min(max(weight, 0), 1)
            let (r, g, b) = colors[best]
            let top = (r * v, g * v, b * v)
            let base: (Float, Float, Float) = sameSize ? (image.pixels[i], image.pixels[plane + i], image.pixels[2 * plane + i]) : (0, 0, 0)
            out[i] = (1 - alpha) * base.0 + alpha * top.0
            out[plane + i] = (1 - alpha) * base.1 + alpha * top.1
            out[2 * plane + i] = (1 - alpha) * base.2 + alpha * top.2
        }
        return RGBImage(width: w, height: h, pixels: out)
    }
}
