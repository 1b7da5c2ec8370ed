import Foundation
import XAICore
import XAIManifest

/// Methods x models x metrics: the mean of each metric over the explanations of each method
/// run and model, with a 95% percentile bootstrap interval when there are several images.
/// The layout of published comparisons (e.g. % drop in confidence per method on VGG-16,
/// ResNet-50 and DenseNet-121).
public struct ComparisonTable: Equatable, Sendable {
    /// A method run (instance plus sweep point).
    public struct Method: Equatable, Sendable {
        /// Run id (`occlusion@window=16`), the row label.
        public var run: String
        public var instance: String
        /// Method kind (`occlusion`).
        public var kind: String
    }

    /// One cell: the values behind it (in manifest order) and their mean and interval.
    public struct Cell: Equatable, Sendable {
        public var method: String
        public var model: String
        public var metric: String
        public var values: [Double]
        public var interval: Bootstrap.Interval
    }

    public var name: String
    /// Rows, in the order the manifest first lists each run.
    public var methods: [Method]
    public var models: [String]
    /// Metric ids, catalogue order.
    public var metrics: [String]
    public var cells: [Cell]
    /// Cell position by method, model and metric, and the best method per model and metric
    /// (lookups stay cheap for tables with thousands of cells).
    private var index = [String: Int]()
    private var bestMethods = [String: Set<String>]()
    /// Where metric ids find their directions, summaries and secondary values.
    public let catalogue: Catalogue
    public var resamples: Int
    public var seed: UInt64
    /// Number of distinct images behind the table.
    public var imageCount: Int

    /// Builds the table from `manifest`'s results. Non-finite metric values are left out of
    /// the means (and counted out of `n`). Each cell's bootstrap is seeded with `seed` mixed
    /// with a hash of the cell's method, model and metric, so cells are independent of each
    /// other and of the table's shape.
    public init(manifest: Manifest, catalogue: Catalogue, resamples: Int = 1000, seed: UInt64 = 0) {
        name = manifest.name
        self.catalogue = catalogue
        self.resamples = resamples
        self.seed = seed
        var methods = [Method](), seenRuns = Set<String>(), sweeps = [String: ResolvedParams]()
        var modelOrder = manifest.models.map(\.name)
        var values = [String: [String: [String: [Double]]]]()  // run -> model -> metric -> values
        var metricIDs = Set<String>()
        var images = Set<String>()
        for r in manifest.results where !r.metrics.isEmpty {
            if seenRuns.insert(r.run).inserted {
                methods.append(Method(run: r.run, instance: r.instance, kind: r.method))
                sweeps[r.run] = r.sweep
            }
            if !modelOrder.contains(r.model) { modelOrder.append(r.model) }
            images.insert(r.image)
            for (id, m) in r.metrics {
                for (column, v) in Self.columns(id: id, m, catalogue) {
                    metricIDs.insert(column)
                    if v.isFinite { values[r.run, default: [:]][r.model, default: [:]][column, default: []].append(v) }
                }
            }
        }
        let usedModels = Set(manifest.results.filter { !$0.metrics.isEmpty }.map(\.model))
        // Instances in first-listed order; sweep points of one instance by their values.
        var instanceOrder = [String: Int]()
        for m in methods where instanceOrder[m.instance] == nil { instanceOrder[m.instance] = instanceOrder.count }
        self.methods = methods.enumerated().sorted { x, y in
            let a = x.element, b = y.element
            if a.instance != b.instance { return instanceOrder[a.instance]! < instanceOrder[b.instance]! }
            let c = GalleryLayout.compareSweeps(sweeps[a.run] ?? ResolvedParams(), sweeps[b.run] ?? ResolvedParams())
            return c != 0 ? c < 0 : x.offset < y.offset
        }.map(\.element)
        self.models = modelOrder.filter { usedModels.contains($0) }
        self.metrics = catalogue.sortedMetricIDs(metricIDs)
        self.imageCount = images.count
        var cells = [Cell]()
        for m in methods {
            for model in models {
                for metric in metrics {
                    guard let v = values[m.run]?[model]?[metric], !v.isEmpty else { continue }
                    let cellSeed = seed ^ SplitMix64.hash("\(m.run)\u{1F}\(model)\u{1F}\(metric)")
                    cells.append(Cell(method: m.run, model: model, metric: metric, values: v,
                                      interval: Bootstrap.meanInterval(v, resamples: resamples, seed: cellSeed)))
                }
            }
        }
        self.cells = cells
        for (i, c) in cells.enumerated() { index[Self.key(c.method, c.model, c.metric)] = i }
        for model in models {
            for metric in metrics { bestMethods[Self.key("", model, metric)] = computeBest(model: model, metric: metric) }
        }
    }

    /// The columns one manifest metric fills: `id` with the headline value, and `KIND/PART@params`
    /// for each secondary value.
    static func columns(id: String, _ m: Manifest.MetricValue, _ catalogue: Catalogue) -> [(String, Double)] {
        var out = [(id, m.value)]
        let info = catalogue.metricInfo(id)
        guard let kind = info.kind, let parts = info.descriptor?.secondaryValues else { return out }
        let params = id.firstIndex(of: "@").map { String(id[$0...]) } ?? ""
        for part in parts {
            if let v = m.extra?[part] { out.append(("\(kind.rawValue)/\(part)\(params)", v)) }
        }
        return out
    }

    private static func key(_ method: String, _ model: String, _ metric: String) -> String {
        "\(method)\u{1F}\(model)\u{1F}\(metric)"
    }

    public var isEmpty: Bool { cells.isEmpty }

    public func cell(method: String, model: String, metric: String) -> Cell? {
        index[Self.key(method, model, metric)].map { cells[$0] }
    }

    /// The method run with the best mean for `metric` on `model` (nil for metrics with no
    /// direction, or a tie between every row).
    /// The methods with the best mean for a model and metric: several when their means tie,
    /// none when the metric has no better direction or only one method has a value.
    public func best(model: String, metric: String) -> Set<String> {
        bestMethods[Self.key("", model, metric)] ?? []
    }

    private func computeBest(model: String, metric: String) -> Set<String> {
        let dir = catalogue.metricInfo(metric).direction
        guard dir != .neither else { return [] }
        let candidates = cells.filter { $0.model == model && $0.metric == metric && $0.interval.mean.isFinite }
        guard candidates.count > 1 else { return [] }
        let means = candidates.map(\.interval.mean)
        let top = dir == .higherIsBetter ? means.max()! : means.min()!
        return Set(candidates.filter { $0.interval.mean == top }.map(\.method))
    }
}
