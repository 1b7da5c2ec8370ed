import XAICore
import XAIEngine
import XAIImaging
import XAIMethods

/// One evaluation metric of one explanation. Each metric lives in its own file and is created
/// from its parameters (its descriptor's `parameters`; names not given take their default).
/// Implementations are deterministic for a given `MetricInput.seed`, and every forward pass goes
/// through `ModelContext.engine` in batches.
public protocol Metric: Sendable {
    /// The metric's name, summary, parameters and direction, declared in the metric's file.
    static var descriptor: MetricDescriptor { get }
    /// Validates `params`; throws `MetricError.invalidParameter` naming the parameter.
    init(params: ResolvedParams) throws
    func evaluate(_ input: MetricInput, model: ModelContext) throws -> MetricResult
}

extension Metric {
    public static var kind: MetricKind { descriptor.kind }
}

/// Everything a metric may read about one explanation.
public struct MetricInput: Sendable {
    /// The resized, centre-cropped image before normalisation (planar RGB in 0...1, model resolution).
    public var image: RGBImage
    /// `image` normalised with the model's mean/std: [1, 3, H, W] (NCHW).
    public var input: Tensor
    /// The raw attribution: [H, W], or [K, H, W] for multi-map methods, which metrics reduce to
    /// one [H, W] map by the per-pixel maximum over the K maps (see `AttributionMap`).
    public var map: Tensor
    /// Whether the map is signed (diverging).
    public var signed: Bool
    /// The explained class.
    public var target: Int
    /// Seed of every random step of the metric (subsets, noise, tie-breaking, randomisation).
    public var seed: UInt64
    /// The method that made the map and its parameters, to run it again (sanity_randomization,
    /// max_sensitivity).
    public var method: MethodKind
    public var methodParams: ResolvedParams
    /// The explanation's scalars (`completeness_gap` of integrated gradients, `efficiency_gap`
    /// of KernelSHAP, ...).
    public var scalars: [String: Double]
    /// Ground-truth boxes `[x0, y0, x1, y1]` in crop pixel coordinates (pixel (x, y) covers
    /// [x, x+1) x [y, y+1)); see `AnnotationGeometry.box` to map them from the original image.
    public var boxes: [[Double]]
    /// Ground-truth mask, row-major [H * W] in crop coordinates, when given.
    public var mask: [Bool]?
    /// The image's name, for error messages.
    public var imageID: String
    /// Names the map for results that several metrics of one explanation compute alike (the
    /// explanation's cache entry: it stands for the map, the image and the model), so that they
    /// are computed once (`SharedLogits`); nil: nothing is shared.
    public var mapKey: String?
    /// Names the image as the model sees it, for pictures that the metrics of every method score
    /// alike (the image itself, a picture all fill; `SharedLogits.Picture`); nil: not shared.
    public var imageKey: String?

    public init(image: RGBImage, input: Tensor, map: Tensor, signed: Bool, target: Int, seed: UInt64,
                method: MethodKind, methodParams: ResolvedParams, scalars: [String: Double] = [:],
                boxes: [[Double]] = [], mask: [Bool]? = nil, imageID: String = "<image>", mapKey: String? = nil,
                imageKey: String? = nil) {
        self.image = image
        self.input = input
        self.map = map
        self.signed = signed
        self.target = target
        self.seed = seed
        self.method = method
        self.methodParams = methodParams
        self.scalars = scalars
        self.boxes = boxes
        self.mask = mask
        self.imageID = imageID
        self.mapKey = mapKey
        self.imageKey = imageKey
    }
}

/// A metric's value for one explanation. Curves (deletion, insertion, ROAD) put their x values
/// in `x` and the main curve in `y`; further curves go to `curves` and further numbers to `extra`.
public struct MetricResult: Sendable, Equatable {
    /// The headline number (what the report averages per method and model).
    public var value: Double
    /// Curve x values (fraction of pixels removed / inserted), when any.
    public var x: [Double]?
    /// Curve y values (target probability), when any.
    public var y: [Double]?
    /// Related numbers (variants, components of the score), by name.
    public var extra: [String: Double]
    /// Further curves over the same `x` (ROAD's `lerf` next to its MoRF `y`), by name.
    public var curves: [String: [Double]]

    public init(value: Double, x: [Double]? = nil, y: [Double]? = nil, extra: [String: Double] = [:],
                curves: [String: [Double]] = [:]) {
        self.value = value
        self.x = x
        self.y = y
        self.extra = extra
        self.curves = curves
    }
}

/// Errors raised by metrics; each names the metric and what to change.
public enum MetricError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(metric: String, parameter: String, detail: String)
    /// A name that is not in `MetricCatalogue`.
    case unknownMetric(String, known: [String])
    /// The metric needs ground truth (boxes or a mask) that the image does not have.
    case missingAnnotation(metric: String, image: String)
    /// The metric is not defined for results of this method.
    case notApplicable(metric: String, method: String, detail: String)
    /// The explanation or image does not fit the model (shapes, classes).
    case badInput(metric: String, detail: String)
    case numeric(metric: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidParameter(m, p, d): return "\(m): parameter '\(p)': \(d)"
        case let .unknownMetric(m, known): return "unknown metric '\(m)'; known: \(known.joined(separator: ", "))"
        case let .missingAnnotation(m, image):
            return "\(m): image '\(image)' has no ground-truth boxes or mask; add it under `annotations:` in the experiment or drop \(m) from `metrics:`"
        case let .notApplicable(m, method, d): return "\(m) does not apply to \(method): \(d)"
        case let .badInput(m, d): return "\(m): \(d)"
        case let .numeric(m, d): return "\(m): \(d)"
        }
    }
}
