import Foundation

/// `xai diff A B`: how the explanations of run B differ from run A's, image by image and method
/// by method, with summaries over the images. Written as `diff.json` (this value), `diff.csv`
/// and `diff.html`.
public struct RunDiff: Codable, Equatable, Sendable {
    /// One of the two runs.
    public struct Side: Codable, Equatable, Sendable {
        public var run: String
        public var experiment: String
        /// SHA-256 of the resolved experiment's content: equal on both sides when only code or data changed.
        public var experimentHash: String
        public var gitRevision: String?
        public var gitDirty: Bool?
        public var overrides: [String]
    }

    /// Before and after of one metric of one explanation.
    public struct MetricChange: Codable, Equatable, Sendable {
        public var a: Double
        public var b: Double
        /// b - a.
        public var delta: Double
    }

    /// Files of one pair, relative to the diff's folder; nil when the run has no overlay for it.
    public struct Pictures: Codable, Equatable, Sendable {
        public var overlayA: String?
        public var overlayB: String?
        /// B / max|B| - A / max|A|, diverging colours, clipped at +-1.
        public var difference: String
    }

    /// One explanation present in both runs (same image, method run and target rank; same model
    /// unless the runs have one model each).
    public struct Pair: Codable, Equatable, Sendable {
        public var image: String
        public var modelA: String
        public var modelB: String
        /// The method run id (`occlusion@window=16`).
        public var run: String
        public var method: String
        public var rank: Int
        /// Spearman's rho of the two maps (ties as average ranks); nil when a map is constant.
        public var spearman: Double?
        /// IoU of the two maps' top-k% regions.
        public var iou: Double?
        public var metrics: [String: MetricChange]
        public var pictures: Pictures?
        /// Why the maps were not compared (a multi-map result, a map gone from the cache), if so.
        public var note: String?
    }

    /// The mean of a quantity over the images of one method run, with its 95% bootstrap interval.
    public struct Summary: Codable, Equatable, Sendable {
        public var run: String
        /// `spearman`, `iou`, or `delta <metric id>`.
        public var quantity: String
        public var mean: Double
        public var lower: Double?
        public var upper: Double?
        public var count: Int
    }

    public var a: Side
    public var b: Side
    /// The top-k% of `iou`, in percent.
    public var topK: Double
    /// Seed of the bootstrap resampling.
    public var seed: UInt64
    public var pairs: [Pair]
    public var summaries: [Summary]
    /// Explanations of one run with no partner in the other (`A: chelsea/gradcam`).
    public var unmatched: [String]

    /// The folder name under `Outputs/diffs/`: `<A>..<B>` (run ids hold only digits, letters and `-`).
    public var folderName: String { "\(a.run)..\(b.run)" }
}
