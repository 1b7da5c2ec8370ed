import Foundation
import XAICore
import XAIImaging
import XAIManifest
import XAIPlanner
import XAIReport
import XAIRuns

/// What `RunDiff.compute` compares and how.
public struct DiffOptions: Sendable {
    /// Percent of a map's values in its top region for the IoU (0 < topK <= 100).
    public var topK: Double
    /// Seed of the bootstrap intervals.
    public var seed: UInt64

    public init(topK: Double = 10, seed: UInt64 = 0) {
        self.topK = topK
        self.seed = seed
    }
}

/// A run as the diff reads it: its record, its manifest and the cache key of each task.
public struct DiffSide {
    public var record: RunRecord
    public var manifest: Manifest
    public var keys: [String: String]

    /// Run `record` as `store` holds it.
    public init(record: RunRecord, store: RunStore) throws {
        self.record = record
        manifest = try store.manifest(of: record)
        keys = Dictionary(try store.tasks(of: record.id).compactMap { t in t.key.map { (t.task, $0) } },
                          uniquingKeysWith: { a, _ in a })
    }

    var side: RunDiff.Side {
        RunDiff.Side(run: record.id, experiment: record.experiment, experimentHash: record.experimentHash,
                     gitRevision: record.gitRevision,
                     gitDirty: record.gitDirty, overrides: record.overrides)
    }
}

extension RunDiff {
    /// Compares the explanations of `a` and `b`, reading their maps and overlays from `cache`
    /// and writing each pair's pictures under `folder` (the diff's folder).
    public static func compute(_ a: DiffSide, _ b: DiffSide, cache: CacheStore, options: DiffOptions,
                               folder: URL) throws -> RunDiff {
        guard options.topK > 0, options.topK <= 100 else {
            throw DiffError.invalidOption(name: "--top-k", detail: "\(options.topK) is not a percentage in (0, 100]")
        }
        let modelsA = a.manifest.models.map(\.name), modelsB = b.manifest.models.map(\.name)
        // Two single-model runs of different models (a model comparison) pair up by image and method.
        let ignoreModel = modelsA.count == 1 && modelsB.count == 1 && modelsA != modelsB
        func key(_ r: Manifest.Result) -> String {
            [r.image, ignoreModel ? "" : r.model, r.run, String(r.target.rank)].joined(separator: "\u{1F}")
        }
        func label(_ r: Manifest.Result) -> String {
            "\(r.image)/\(r.model)/\(r.run)" + (r.target.rank > 1 ? "#\(r.target.rank)" : "")
        }
        var partners = [String: Manifest.Result]()
        for r in b.manifest.results { partners[key(r)] = r }
        let pictures = DiffPictures(folder: folder, cache: cache)
        try pictures.reset()
        var pairs = [Pair](), unmatched = [String](), matched = Set<String>()
        for ra in a.manifest.results {
            guard let rb = partners[key(ra)] else {
                unmatched.append("A: " + label(ra))
                continue
            }
            matched.insert(key(rb))
            var pair = Pair(image: ra.image, modelA: ra.model, modelB: rb.model, run: ra.run, method: ra.method,
                            rank: ra.target.rank, metrics: metricChanges(ra.metrics, rb.metrics))
            do {
                let (ma, mb) = try comparableMaps(ra, a, rb, b, cache: cache)
                pair.spearman = RankCorrelation.spearmanIfDefined(ma.values, mb.values)
                pair.iou = TopRegion.iou(ma.values, mb.values, fraction: options.topK / 100)
                pair.pictures = try pictures.write(index: pairs.count, a: ma, b: mb,
                                                   overlayA: overlayKey(ra, a), overlayB: overlayKey(rb, b))
            } catch let reason as NotCompared {
                pair.note = reason.description
            }
            pairs.append(pair)
        }
        unmatched += b.manifest.results.filter { !matched.contains(key($0)) }.map { "B: " + label($0) }
        return RunDiff(a: a.side, b: b.side, topK: options.topK, seed: options.seed, pairs: pairs,
                       summaries: summarise(pairs, seed: options.seed), unmatched: unmatched)
    }

    static func metricChanges(_ a: [String: Manifest.MetricValue],
                              _ b: [String: Manifest.MetricValue]) -> [String: MetricChange] {
        var out = [String: MetricChange]()
        for (id, va) in a {
            guard let vb = b[id], va.value.isFinite, vb.value.isFinite else { continue }
            out[id] = MetricChange(a: va.value, b: vb.value, delta: vb.value - va.value)
        }
        return out
    }

    /// Means over the images of each method run, with 95% bootstrap intervals.
    static func summarise(_ pairs: [Pair], seed: UInt64) -> [Summary] {
        var values = [String: [String: [Double]]]()
        for p in pairs {
            if let s = p.spearman { values[p.run, default: [:]]["spearman", default: []].append(s) }
            if let i = p.iou { values[p.run, default: [:]]["iou", default: []].append(i) }
            for (id, m) in p.metrics { values[p.run, default: [:]]["delta \(id)", default: []].append(m.delta) }
        }
        return values.keys.sorted().flatMap { run in
            values[run]!.keys.sorted().map { quantity in
                let i = Bootstrap.meanInterval(values[run]![quantity]!, seed: seed)
                return Summary(run: run, quantity: quantity, mean: i.mean, lower: i.lower, upper: i.upper, count: i.count)
            }
        }
    }

    static func overlayKey(_ r: Manifest.Result, _ side: DiffSide) -> String? {
        side.keys[ResultFiles.overlayTask(of: r.task)]
    }
}
