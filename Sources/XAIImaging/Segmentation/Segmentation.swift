import Dispatch
import Foundation
import XAICore

/// A superpixel segmentation of an image: every pixel carries a label in `0..<count`, every label
/// is used and each label is one 4-connected region. Labels are numbered in raster order of their
/// first pixel (the top-left region is 0), so the numbering depends only on the partition.
public struct Segmentation: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major `height x width` labels.
    public let labels: [Int32]
    /// Number of segments.
    public let count: Int

    /// Wraps labels that already satisfy the invariants (connected, raster-ordered, dense).
    init(width: Int, height: Int, canonicalLabels: [Int32], count: Int) {
        self.width = width
        self.height = height
        self.labels = canonicalLabels
        self.count = count
    }

    /// Builds a segmentation from any labelling: regions that are not 4-connected are split and
    /// pieces smaller than `minSize` pixels are merged into the neighbour they share the longest
    /// border with; labels are then renumbered in raster order.
    public init(width: Int, height: Int, labels: [Int32], minSize: Int = 1) {
        precondition(labels.count == width * height, "Segmentation: \(labels.count) labels for \(width)x\(height)")
        let (canonical, n) = ConnectedComponents.relabel(labels, width: width, height: height, minSize: minSize)
        self.init(width: width, height: height, canonicalLabels: canonical, count: n)
    }

    /// Pixels per segment.
    public var sizes: [Int] {
        var s = [Int](repeating: 0, count: count)
        for l in labels { s[Int(l)] += 1 }
        return s
    }

    /// Pixel indices of each segment, in raster order.
    public var members: [[Int]] {
        var m = [[Int]](repeating: [], count: count)
        for (i, l) in labels.enumerated() { m[Int(l)].append(i) }
        return m
    }

    /// Mean colour (r, g, b) of every segment of `image` (same size as the segmentation).
    public func meanColors(of image: RGBImage) -> [(Float, Float, Float)] {
        precondition(image.width == width && image.height == height)
        let n = width * height
        var acc = [Double](repeating: 0, count: 3 * count)
        var sizes = [Int](repeating: 0, count: count)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let l = Int(labels[i])
                sizes[l] += 1
                acc[3 * l] += Double(p[i])
                acc[3 * l + 1] += Double(p[n + i])
                acc[3 * l + 2] += Double(p[2 * n + i])
            }
        }
        return (0..<count).map { l in
            let s = Double(max(sizes[l], 1))
            return (Float(acc[3 * l] / s), Float(acc[3 * l + 1] / s), Float(acc[3 * l + 2] / s))
        }
    }
}

/// The superpixel algorithms shared by LIME, KernelSHAP and anchors, with the parameters of the
/// method catalogue (`ParameterSpec.segmentation`).
public enum SegmentationAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// Quick shift (Vedaldi & Soatto 2008) in CIELAB as scikit-image computes it.
    case quickshift(kernelSize: Double, maxDist: Double, ratio: Double)
    /// SLIC (Achanta et al. 2012) in CIELAB with enforced connectivity.
    case slic(segments: Int, compactness: Double)
    /// Graph-based segmentation (Felzenszwalb & Huttenlocher 2004) on RGB.
    case felzenszwalb(scale: Double, sigma: Double, minSize: Int)
    /// A regular `cells x cells` grid.
    case grid(cells: Int)

    /// Reads `segmentation` and the parameters of the chosen algorithm; parameters of the other
    /// algorithms are not read (and so are not part of `description`, which keys caches).
    public init(params: ResolvedParams) throws {
        let name = try params.string("segmentation")
        switch name {
        case "quickshift":
            self = .quickshift(kernelSize: try params.double("kernel_size"), maxDist: try params.double("max_dist"),
                               ratio: try params.double("ratio"))
        case "slic":
            self = .slic(segments: try params.int("n_segments"), compactness: try params.double("compactness"))
        case "felzenszwalb":
            self = .felzenszwalb(scale: try params.double("scale"), sigma: try params.double("sigma"),
                                 minSize: try params.int("min_size"))
        case "grid":
            self = .grid(cells: try params.int("cells"))
        default:
            throw SegmentationError.unknownAlgorithm(name)
        }
        try validate()
    }

    /// Checks the ranges the algorithms need (the catalogue already enforces them for files).
    public func validate() throws {
        switch self {
        case let .quickshift(k, d, r):
            guard k > 0, k <= 64 else { throw SegmentationError.invalidParameter("kernel_size", "must be in (0, 64], got \(k)") }
            guard d > 0 else { throw SegmentationError.invalidParameter("max_dist", "must be positive, got \(d)") }
            guard r >= 0, r <= 1 else { throw SegmentationError.invalidParameter("ratio", "must be in [0, 1], got \(r)") }
        case let .slic(n, m):
            guard n >= 1 else { throw SegmentationError.invalidParameter("n_segments", "must be at least 1, got \(n)") }
            guard m > 0 else { throw SegmentationError.invalidParameter("compactness", "must be positive, got \(m)") }
        case let .felzenszwalb(s, sg, ms):
            guard s > 0 else { throw SegmentationError.invalidParameter("scale", "must be positive, got \(s)") }
            guard sg >= 0 else { throw SegmentationError.invalidParameter("sigma", "must be non-negative, got \(sg)") }
            guard ms >= 1 else { throw SegmentationError.invalidParameter("min_size", "must be at least 1, got \(ms)") }
        case let .grid(c):
            guard c >= 1 else { throw SegmentationError.invalidParameter("cells", "must be at least 1, got \(c)") }
        }
    }

    /// Canonical text of the algorithm and its parameters, e.g. `quickshift(kernel_size=4.0,max_dist=200.0,ratio=0.2)`.
    public var description: String {
        switch self {
        case let .quickshift(k, d, r): return "quickshift(kernel_size=\(k),max_dist=\(d),ratio=\(r))"
        case let .slic(n, m): return "slic(n_segments=\(n),compactness=\(m))"
        case let .felzenszwalb(s, sg, ms): return "felzenszwalb(scale=\(s),sigma=\(sg),min_size=\(ms))"
        case let .grid(c): return "grid(cells=\(c))"
        }
    }

    /// Segments `image`: a function of the image and the parameters only (no seed).
    public func segment(_ image: RGBImage) -> Segmentation {
        guard image.width > 0, image.height > 0 else {
            return Segmentation(width: image.width, height: image.height, canonicalLabels: [], count: 0)
        }
        switch self {
        case let .quickshift(k, d, r):
            return Quickshift(kernelSize: k, maxDist: d, ratio: r).segment(image)
        case let .slic(n, m):
            return SLIC(segments: n, compactness: m).segment(image)
        case let .felzenszwalb(s, sg, ms):
            return Felzenszwalb(scale: s, sigma: sg, minSize: ms).segment(image)
        case let .grid(c):
            return GridSegmentation(cells: c).segment(width: image.width, height: image.height)
        }
    }
}

/// Errors raised when reading segmentation parameters.
public enum SegmentationError: Error, Equatable, CustomStringConvertible {
    case unknownAlgorithm(String)
    case invalidParameter(String, String)

    public var description: String {
        switch self {
        case .unknownAlgorithm(let n):
            return "segmentation '\(n)' is unknown; use quickshift, slic, felzenszwalb or grid"
        case let .invalidParameter(p, d):
            return "segmentation parameter '\(p)' \(d)"
        }
    }
}

/// Row-parallel loops for the segmentation kernels (2 cores; tiny images stay on one thread).
enum SegmentationParallel {
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    static func rows(_ count: Int, _ body: (Range<Int>) -> Void) {
        let chunks = min(cores * 4, max(1, count / 8))
        if chunks <= 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { i in
            let lo = count * i / chunks, hi = count * (i + 1) / chunks
            if lo < hi { body(lo..<hi) }
        }
    }
}
