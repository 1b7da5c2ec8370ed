import Foundation
import XAICore
import XAIManifest

/// Seconds that tasks like a plan's took before, read from the `seconds` the cache's entries
/// record, to refine `TaskCost`'s estimates for balancing shards.
///
/// The table is read once and frozen in a file (`xai slurm` writes it beside its scripts and
/// passes it to every shard as `--costs FILE`): shards start minutes apart while others fill the
/// cache, and each must compute the same parts, so none may read the cache's timings itself.
/// Tasks are alike when they share kind, implementation version, model and parameters (not the
/// image): `costClass`.
public struct MeasuredCosts: Codable, Equatable, Sendable {
    /// Mean seconds per cost class.
    public var seconds: [String: Double]

    public init(seconds: [String: Double] = [:]) {
        self.seconds = seconds
    }

    /// Most entries read from a cache (metadata only): enough for any plan's classes.
    public static let maxEntries = 200_000
    /// Largest costs file accepted.
    static let maxFileBytes = 32 << 20

    /// The class of `task`: kind, version, model content hash and resolved parameters.
    public static func costClass(_ task: TaskSpec) -> String {
        "\(task.kind.rawValue) v\(task.version) \(task.inputs["model"] ?? "-") \(task.canonicalParams)"
    }

    /// The mean recorded seconds of the cache's entries in `classes` (at most `maxEntries` read).
    public init(cache: CacheStore, classes: Set<String>) {
        var sums = [String: (total: Double, count: Int)]()
        for key in cache.allKeys().prefix(Self.maxEntries) {
            guard let meta = cache.lookup(key)?.meta, let cls = meta.costClass, classes.contains(cls),
                  meta.seconds.isFinite, meta.seconds > 0 else { continue }
            sums[cls, default: (0, 0)].total += meta.seconds
            sums[cls, default: (0, 0)].count += 1
        }
        seconds = sums.mapValues { $0.total / Double($0.count) }
    }

    /// Reads a costs file (a regular file, bounded, finite non-negative values).
    /// - Throws: `OutputError.corrupt` naming the file and what is wrong.
    public init(contentsOf url: URL) throws {
        let bytes = try RegularFile.read(url.path, maxBytes: Self.maxFileBytes)
        do {
            self = try JSONDecoder().decode(MeasuredCosts.self, from: Data(bytes))
        } catch {
            throw OutputError.corrupt(path: url.path, detail: "not a costs file written by xai slurm (\(error))")
        }
        guard seconds.values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw OutputError.corrupt(path: url.path, detail: "a cost is negative or not finite")
        }
    }

    /// Writes the table atomically (sorted keys: the same table gives the same bytes).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicFile.write(try encoder.encode(self), to: url)
    }
}
