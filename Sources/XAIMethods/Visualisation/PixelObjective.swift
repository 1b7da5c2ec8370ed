import XAICore
import XAIEngine
import XAIImaging

/// What feature visualisation maximises, differentiated with respect to the *pixel-space*
/// image (0...1, before normalisation), so the optimisers work on the picture itself.
enum PixelObjective {
    /// A class logit.
    case logit(Int)
    /// The mean of one channel of a [C, h, w] tensor (or of element `channel` of a vector).
    case channelMean(layer: String, channel: Int)
    /// Half the mean squared activation of a tensor (Deep Dream's "amplify what is there").
    case meanSquare(layer: String)

    /// The objective value and its gradient w.r.t. `pixels` [1, 3, H, W].
    func evaluate(_ pixels: Tensor, model: ModelContext) throws -> (value: Double, gradient: Tensor) {
        let engine = model.engine
        let x = model.normalize(pixels)
        let acts = try engine.forward(x, retain: .all)
        let (name, seed, value): (String, Tensor, Double)
        switch self {
        case let .logit(k):
            let logits = acts.output
            name = engine.outputName
            seed = TargetScore.seed(batch: 1, classes: logits.shape[1], target: k)
            value = Double(logits.data[k])
        case let .channelMean(layer, channel):
            guard let a = acts[layer] else { throw missing(layer) }
            let per = a.itemCount
            let c = a.rank >= 2 ? a.shape[1] : 1
            let plane = per / c
            var s = Tensor(zeros: a.shape)
            var total = 0.0
            for i in 0..<plane {
                s.data[channel * plane + i] = 1 / Float(plane)
                total += Double(a.data[channel * plane + i])
            }
            (name, seed, value) = (layer, s, total / Double(plane))
        case let .meanSquare(layer):
            guard let a = acts[layer] else { throw missing(layer) }
            let n = Float(a.count)
            var total = 0.0
            for v in a.data { total += Double(v) * Double(v) }
            (name, seed, value) = (layer, Tensor(shape: a.shape, data: a.data.map { $0 / n }), 0.5 * total / Double(n))
        }
        var g = try engine.gradients(acts, seeds: [name: seed], wrt: [engine.graph.input])[engine.graph.input]!
        // d/dpixel = d/dx / std (x = (pixel - mean) / std per channel).
        let plane = g.count / 3
        for c in 0..<3 {
            let inv = 1 / model.preprocess.std[c % model.preprocess.std.count]
            for i in (c * plane)..<((c + 1) * plane) { g.data[i] *= inv }
        }
        return (value, g)
    }

    private func missing(_ layer: String) -> MethodError {
        .numeric(method: "feature visualisation", detail: "the forward pass kept no tensor '\(layer)'")
    }
}

/// Small image helpers for the optimisers (planar [3, H, W] float data).
enum PlanarImage {
    /// Circular shift by (dy, dx) of each plane.
    static func roll(_ data: [Float], planes: Int, height h: Int, width w: Int, dy: Int, dx: Int) -> [Float] {
        if dy == 0 && dx == 0 { return data }
        var out = [Float](repeating: 0, count: data.count)
        for c in 0..<planes {
            let base = c * h * w
            for y in 0..<h {
                let sy = ((y - dy) % h + h) % h
                for x in 0..<w {
                    let sx = ((x - dx) % w + w) % w
                    out[base + y * w + x] = data[base + sy * w + sx]
                }
            }
        }
        return out
    }

    /// Area (box) downsampling of each plane to `toH x toW` (toH <= h, toW <= w): each output
    /// pixel is the mean of the input pixels whose index range maps onto it.
    static func shrink(_ data: [Float], planes: Int, height h: Int, width w: Int, toH: Int, toW: Int) -> [Float] {
        if toH == h && toW == w { return data }
        var out = [Float](repeating: 0, count: planes * toH * toW)
        for c in 0..<planes {
            for oy in 0..<toH {
                let y0 = oy * h / toH, y1 = max(y0 + 1, (oy + 1) * h / toH)
                for ox in 0..<toW {
                    let x0 = ox * w / toW, x1 = max(x0 + 1, (ox + 1) * w / toW)
                    var s: Float = 0
                    for y in y0..<y1 { for x in x0..<x1 { s += data[c * h * w + y * w + x] } }
                    out[c * toH * toW + oy * toW + ox] = s / Float((y1 - y0) * (x1 - x0))
                }
            }
        }
        return out
    }

    /// Bilinear enlargement of each plane (align_corners = false).
    static func enlarge(_ data: [Float], planes: Int, height h: Int, width w: Int, toH: Int, toW: Int) -> [Float] {
        if toH == h && toW == w { return data }
        var out: [Float] = []
        out.reserveCapacity(planes * toH * toW)
        for c in 0..<planes {
            out += MapResize.bilinear(Array(data[(c * h * w)..<((c + 1) * h * w)]), h: h, w: w, toH: toH, toW: toW)
        }
        return out
    }

    /// Rec. 601 luma of a planar RGB image: [H, W].
    static func luminance(_ image: RGBImage) -> Tensor {
        let n = image.planeCount
        var out = [Float](repeating: 0, count: n)
        for i in 0..<n {
            out[i] = 0.299 * image.pixels[i] + 0.587 * image.pixels[n + i] + 0.114 * image.pixels[2 * n + i]
        }
        return Tensor(shape: [image.height, image.width], data: out)
    }
}
