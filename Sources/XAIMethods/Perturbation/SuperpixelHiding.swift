import XAICore
import XAIImaging

/// What a switched-off superpixel shows (`hide` of LIME, KernelSHAP and anchors).
enum HideMode: String, ParamChoice {
    /// Each hidden superpixel takes its own mean colour, as the lime package does by default.
    case mean
    /// 0.5 gray.
    case gray
    /// 0 black.
    case black
    /// The same pixels of a blurred copy (`Baseline.blur`: sigma 5% of the shorter side).
    case blur

    /// The `hide` parameter of LIME, KernelSHAP and anchors.
    static let parameter = Param<HideMode>("hide", default: .mean,
                                           "fill of a hidden superpixel: its own mean colour, gray, black or a blurred copy")
}

/// Renders an image with a chosen subset of superpixels switched off (replaced by the fill of
/// `HideMode`). The fill picture is computed once; rendering copies the image and overwrites the
/// pixels of hidden superpixels only.
struct SuperpixelHiding {
    let segmentation: Segmentation
    let image: RGBImage
    let mode: HideMode
    /// Pixel-space fill picture, planar [3, H, W].
    let fill: [Float]
    /// Pixel indices of each superpixel.
    let members: [[Int]]

    var segmentCount: Int { segmentation.count }

    init(image: RGBImage, segmentation: Segmentation, mode: HideMode) {
        precondition(image.width == segmentation.width && image.height == segmentation.height)
        self.image = image
        self.segmentation = segmentation
        self.mode = mode
        self.members = segmentation.members
        let n = image.planeCount
        switch mode {
        case .gray: fill = [Float](repeating: 0.5, count: 3 * n)
        case .black: fill = [Float](repeating: 0, count: 3 * n)
        case .blur: fill = GaussianBlur.apply(image, sigma: Baseline.blurSigmaFraction * Float(min(image.width, image.height))).pixels
        case .mean:
            let colors = segmentation.meanColors(of: image)
            var f = [Float](repeating: 0, count: 3 * n)
            for i in 0..<n {
                let c = colors[Int(segmentation.labels[i])]
                f[i] = c.0; f[n + i] = c.1; f[2 * n + i] = c.2
            }
            fill = f
        }
    }

    /// Writes the image with superpixel `j` shown where `active[j]` and hidden elsewhere into
    /// `dst` (3 * H * W floats).
    func render(active: UnsafeBufferPointer<Bool>, into dst: UnsafeMutablePointer<Float>) {
        let n = image.planeCount
        image.pixels.withUnsafeBufferPointer { src in dst.update(from: src.baseAddress!, count: 3 * n) }
        fill.withUnsafeBufferPointer { f in
            for j in 0..<members.count where !active[j] {
                for p in members[j] {
                    dst[p] = f[p]; dst[n + p] = f[n + p]; dst[2 * n + p] = f[2 * n + p]
                }
            }
        }
    }

    /// Convenience for an array of flags.
    func render(active: [Bool], into dst: UnsafeMutablePointer<Float>) {
        active.withUnsafeBufferPointer { render(active: $0, into: dst) }
    }

    /// The image with only `active` superpixels shown, as a picture.
    func picture(active: [Bool]) -> RGBImage {
        var out = image
        out.pixels.withUnsafeMutableBufferPointer { render(active: active, into: $0.baseAddress!) }
        return out
    }
}

/// Reading the segmentation parameters of a superpixel method into errors naming the parameter.
extension ParameterReader {
    func segmentation() throws -> SegmentationAlgorithm {
        do {
            return try SegmentationAlgorithm(params: params)
        } catch let e as SegmentationError {
            switch e {
            case .unknownAlgorithm: throw invalid("segmentation", e.description)
            case let .invalidParameter(p, d): throw invalid(p, d)
            }
        } catch let e as ResolvedParamsError {
            throw invalid("segmentation", e.description)
        }
    }
}

extension Explanation {
    /// Per-pixel map [H, W] painting each superpixel with its value.
    static func superpixelMap(_ values: [Double], segmentation s: Segmentation) -> Tensor {
        var d = [Float](repeating: 0, count: s.width * s.height)
        for i in d.indices { d[i] = Float(values[Int(s.labels[i])]) }
        return Tensor(shape: [s.height, s.width], data: d)
    }
}
