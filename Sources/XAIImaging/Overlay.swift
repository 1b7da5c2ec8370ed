/// A colour-mapped map blended over an image, with the display range that was used.
public struct HeatmapOverlay: Sendable, Equatable {
    public var image: RGBImage
    public var scale: ScaledMap
}

/// Heatmap rendering for explanation maps (RGB order throughout).
public enum Overlay {
    /// Colour-maps `map` (row-major `height x width`, any resolution) and blends it over
    /// `image`: `(1 - alpha) * image + alpha * colour`. A map whose size differs from the
    /// image is resized to it (bilinear, align_corners = False when enlarging; antialiased
    /// when shrinking). The range is computed on the raw map values.
    public static func heatmap(_ map: [Float], width: Int, height: Int, on image: RGBImage,
                               colormap: Colormap = .jet, alpha: Float = 0.5,
                               scaling: MapScaling = .minMax) -> RGBImage {
        render(map, width: width, height: height, on: image, colormap: colormap, alpha: alpha, scaling: scaling).image
    }

    /// Like `heatmap`, also returning the display range so the colour bar can be labelled.
    public static func render(_ map: [Float], width: Int, height: Int, on image: RGBImage,
                              colormap: Colormap = .jet, alpha: Float = 0.5,
                              scaling: MapScaling = .minMax) -> HeatmapOverlay {
        let colored = colorize(map, width: width, height: height, colormap: colormap, scaling: scaling,
                               toWidth: image.width, toHeight: image.height)
        return HeatmapOverlay(image: blend(colored.image, over: image, alpha: alpha), scale: colored.scale)
    }

    /// The colour-mapped map alone, at the map's size or resized to `toWidth x toHeight`.
    public static func colorize(_ map: [Float], width: Int, height: Int, colormap: Colormap = .jet,
                                scaling: MapScaling = .minMax, toWidth: Int? = nil,
                                toHeight: Int? = nil) -> HeatmapOverlay {
        precondition(map.count == width * height, "Overlay: map of \(map.count) values is not \(width)x\(height)")
        let scale = scaling.scale(map)
        let ow = toWidth ?? width, oh = toHeight ?? height
        let resized = resizeMap(map, width: width, height: height, toWidth: ow, toHeight: oh)
        let n = ow * oh
        var pixels = [Float](repeating: 0, count: 3 * n)
        for i in 0..<n {
            let (r, g, b) = colormap.color(scale.position(resized[i]))
            pixels[i] = r
            pixels[n + i] = g
            pixels[2 * n + i] = b
        }
        return HeatmapOverlay(image: RGBImage(width: ow, height: oh, pixels: pixels), scale: scale)
    }

    /// `(1 - alpha) * base + alpha * top`; the images must have the same size.
    public static func blend(_ top: RGBImage, over base: RGBImage, alpha: Float) -> RGBImage {
        precondition(top.width == base.width && top.height == base.height,
                     "Overlay.blend: \(top.width)x\(top.height) over \(base.width)x\(base.height)")
        var out = base
        for i in 0..<out.pixels.count { out.pixels[i] = (1 - alpha) * base.pixels[i] + alpha * top.pixels[i] }
        return out
    }

    static func resizeMap(_ map: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) -> [Float] {
        if width == toWidth && height == toHeight { return map }
        if toWidth >= width && toHeight >= height {
            return MapResize.bilinear(map, h: height, w: width, toH: toHeight, toW: toWidth)
        }
        return Resampler.resize(map, planes: 1, width: width, height: height, outWidth: toWidth,
                                outHeight: toHeight, filter: .bilinear)
    }
}

/// Colour-bar images for a colormap.
public enum Colorbar {
    /// A gradient image of the colormap: left (lo) to right (hi) when `width >= height`,
    /// otherwise bottom (lo) to top (hi).
    public static func image(colormap: Colormap, width: Int, height: Int) -> RGBImage {
        precondition(width > 0 && height > 0)
        var img = RGBImage(width: width, height: height, color: (0, 0, 0))
        let horizontal = width >= height
        let steps = Float(Swift.max((horizontal ? width : height) - 1, 1))
        for y in 0..<height {
            for x in 0..<width {
                let t = horizontal ? Float(x) / steps : Float(height - 1 - y) / steps
                img.set(x: x, y: y, colormap.color(t))
            }
        }
        return img
    }
}
