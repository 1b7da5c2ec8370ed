import Foundation
import XAICore

/// `Outputs/<name>/manifest.json`: everything a run produced, for the HTML gallery and for
/// scripts. Written with sorted keys, no timestamps and no facts about the run that wrote it
/// (times, what came from the cache: those are in the run record, `Outputs/.runs.sqlite`), so the
/// same experiment and cache give the same bytes on any machine, whether the results were
/// computed or found. All paths inside are relative to the manifest's folder unless noted.
public struct Manifest: Codable, Equatable, Sendable {
    /// Manifest format version; bumped on incompatible changes.
    public var schema: Int
    /// The experiment name (= the output folder's name).
    public var name: String
    /// The fully resolved experiment (defaults, `extends:` and `--set` applied), as the loader encodes it.
    public var experiment: JSONValue
    public var models: [Model]
    public var images: [Image]
    /// Top predictions per (image, model).
    public var predictions: [Prediction]
    /// One entry per explanation (image x model x method run x target), sorted by image, model, run, rank.
    public var results: [Result]
    /// Tasks that failed; empty after a clean run.
    public var failures: [Failure]

    /// 2: results no longer carry `seconds` and `cached` (run facts, now in the run record).
    public static let currentSchema = 2

    public init(schema: Int = Manifest.currentSchema, name: String, experiment: JSONValue, models: [Model],
                images: [Image], predictions: [Prediction], results: [Result], failures: [Failure]) {
        self.schema = schema
        self.name = name
        self.experiment = experiment
        self.models = models
        self.images = images
        self.predictions = predictions
        self.results = results
        self.failures = failures
    }

    /// A model of the experiment.
    public struct Model: Codable, Equatable, Sendable {
        public var name: String
        /// The model file as the experiment resolved it (not relative to the manifest).
        public var path: String
        /// SHA-256 of the model file's bytes.
        public var sha256: String
        /// [height, width] of the model input.
        public var inputSize: [Int]
        public var targetLayer: String?
        public var classCount: Int
        /// Where the class names come from when the model was given none: `imagenet-1k (default
        /// for 1000 outputs)`, or `none (N outputs, shown as class numbers)`; absent when the card
        /// or the experiment gave labels.
        public var labels: String?

        public init(name: String, path: String, sha256: String, inputSize: [Int], targetLayer: String?, classCount: Int,
                    labels: String? = nil) {
            self.name = name
            self.path = path
            self.sha256 = sha256
            self.inputSize = inputSize
            self.targetLayer = targetLayer
            self.classCount = classCount
            self.labels = labels
        }
    }

    /// An input image.
    public struct Image: Codable, Equatable, Sendable {
        /// Readable id (file stem), used in task ids and output names.
        public var id: String
        /// The source file as the experiment resolved it (not relative to the manifest).
        public var path: String
        public var sha256: String
        /// Original size in pixels.
        public var width: Int
        public var height: Int
        /// The resized, centre-cropped picture each model saw (PNG), by model name.
        public var inputs: [String: String]

        public init(id: String, path: String, sha256: String, width: Int, height: Int, inputs: [String: String]) {
            self.id = id
            self.path = path
            self.sha256 = sha256
            self.width = width
            self.height = height
            self.inputs = inputs
        }
    }

    /// A class with its probability.
    public struct Target: Codable, Equatable, Sendable {
        public var index: Int
        /// The class label, or `class <index>` when the model has no labels.
        public var label: String
        /// Softmax probability of the class on the unmodified image.
        public var probability: Double
        /// 1 for the top prediction, 2 for the second, ...
        public var rank: Int

        public init(index: Int, label: String, probability: Double, rank: Int) {
            self.index = index
            self.label = label
            self.probability = probability
            self.rank = rank
        }
    }

    /// The top classes of one image under one model.
    public struct Prediction: Codable, Equatable, Sendable {
        public var image: String
        public var model: String
        /// Best first (at most five, or `top_k` when larger).
        public var top: [Target]

        public init(image: String, model: String, top: [Target]) {
            self.image = image
            self.model = model
            self.top = top
        }
    }

    /// One row of a multi-map legend (DFF concepts): the methods' own type, stored as is.
    public typealias LegendEntry = XAICore.LegendEntry

    /// The value range the overlay's colours span, for a colour bar.
    public struct Scale: Codable, Equatable, Sendable {
        public var colormap: String
        public var lo: Double
        public var hi: Double
        /// Whether the map is signed (diverging colours centred on 0).
        public var signed: Bool
        /// Human-readable note on the scaling (e.g. clipping at a percentile).
        public var caption: String

        public init(colormap: String, lo: Double, hi: Double, signed: Bool, caption: String) {
            self.colormap = colormap
            self.lo = lo
            self.hi = hi
            self.signed = signed
            self.caption = caption
        }
    }

    /// One metric value, with the curve behind it when the metric has one (deletion, insertion).
    public struct MetricValue: Codable, Equatable, Sendable {
        public var value: Double
        /// Curve x values (fraction of pixels removed / inserted), when any.
        public var x: [Double]?
        /// Curve y values (target probability), when any.
        public var y: [Double]?
        /// Secondary values (e.g. ROAD's LeRF and MoRF areas, the pointing games of localisation).
        public var extra: [String: Double]?
        /// Further curves over `x` (ROAD's `morf` and `lerf`).
        public var curves: [String: [Double]]?

        public init(value: Double, x: [Double]? = nil, y: [Double]? = nil, extra: [String: Double]? = nil,
                    curves: [String: [Double]]? = nil) {
            self.value = value
            self.x = x
            self.y = y
            self.extra = extra
            self.curves = curves
        }
    }

    /// One explanation.
    public struct Result: Codable, Equatable, Sendable {
        /// Image id.
        public var image: String
        /// Model name.
        public var model: String
        /// Method kind (`occlusion`).
        public var method: String
        /// Method instance name (`occlusion-blur`).
        public var instance: String
        /// Method run id: the instance plus the sweep point (`occlusion@stride=8,window=16`).
        public var run: String
        /// Every parameter, defaults included.
        public var params: ResolvedParams
        /// The swept parameters and their values at this point (empty when not swept).
        public var sweep: ResolvedParams
        public var target: Target
        /// The raw attribution as .npy: float32 [H, W] at the model's input resolution, or [K, H, W].
        public var map: String
        /// Shape of `map`.
        public var mapShape: [Int]
        /// The heatmap over the input (PNG).
        public var overlay: String?
        public var scale: Scale?
        /// Extra pictures (PNG) by name: synthesised images, DFF combined maps, LIME masks, ...
        public var pictures: [String: String]
        /// Extra arrays (.npy) by name: occlusion grids, LIME weights, ...
        public var arrays: [String: String]
        /// Scalars the method reported (completeness gap, r2, ...).
        public var scalars: [String: Double]
        public var legend: [LegendEntry]
        /// Metric values by metric id.
        public var metrics: [String: MetricValue]
        /// Cache key of the explanation task.
        public var key: String
        /// Id of the explanation task (`chelsea/occlusion@stride=8,window=16`).
        public var task: String

        public init(image: String, model: String, method: String, instance: String, run: String,
                    params: ResolvedParams, sweep: ResolvedParams, target: Target, map: String, mapShape: [Int],
                    overlay: String?, scale: Scale?, pictures: [String: String] = [:], arrays: [String: String] = [:],
                    scalars: [String: Double] = [:], legend: [LegendEntry] = [], metrics: [String: MetricValue] = [:],
                    key: String, task: String) {
            self.image = image
            self.model = model
            self.method = method
            self.instance = instance
            self.run = run
            self.params = params
            self.sweep = sweep
            self.target = target
            self.map = map
            self.mapShape = mapShape
            self.overlay = overlay
            self.scale = scale
            self.pictures = pictures
            self.arrays = arrays
            self.scalars = scalars
            self.legend = legend
            self.metrics = metrics
            self.key = key
            self.task = task
        }
    }

    /// A task that failed, with what it was computing.
    public struct Failure: Codable, Equatable, Sendable {
        public var task: String
        public var kind: String
        public var image: String?
        public var model: String?
        public var method: String?
        public var params: [String: String]
        public var message: String

        public init(task: String, kind: String, image: String?, model: String?, method: String?,
                    params: [String: String], message: String) {
            self.task = task
            self.kind = kind
            self.image = image
            self.model = model
            self.method = method
            self.params = params
            self.message = message
        }
    }
}

extension Manifest {
    public static let fileName = "manifest.json"

    /// The manifest as JSON: sorted keys, two-space indentation, no escaped slashes.
    /// - Throws: `OutputError.invalidValue` for non-finite numbers (JSON has none).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw OutputError.invalidValue(context: "manifest \(name)", detail: "\(error)")
        }
    }

    /// Writes `manifest.json` into `folder` atomically.
    public func write(to folder: URL) throws {
        try AtomicFile.write(encoded(), to: folder.appendingPathComponent(Self.fileName))
    }

    /// Reads `manifest.json` from `folder`.
    public static func read(from folder: URL) throws -> Manifest {
        let url = folder.appendingPathComponent(fileName)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw OutputError.io(path: url.path, operation: "read", error: error)
        }
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw OutputError.corrupt(path: url.path, detail: "not a manifest (\(error))")
        }
    }
}
