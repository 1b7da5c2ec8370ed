import Foundation
import XAIManifest

/// The cache entry of a metric task: the value (with its curves) as `metric.json`.
enum MetricEntry {
    static let valueFile = "metric.json"

    static func write(_ value: Manifest.MetricValue, to dir: URL) throws {
        try AtomicFile.write(JSONEncoder.sorted.encode(value), to: dir.appendingPathComponent(valueFile))
    }

    static func read(_ e: CachedEntry) throws -> Manifest.MetricValue {
        try e.decode(Manifest.MetricValue.self, from: valueFile, what: "a metric value")
    }
}
