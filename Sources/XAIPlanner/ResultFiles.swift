import Foundation
import XAICore

/// Where an explanation's files lie in the cache, for tools that read an earlier run's results
/// by their keys (`xai diff`) rather than from `Outputs/<name>/`, which the next run overwrites.
/// The layouts stay private to their entry types; this only forwards to them, and every read is
/// checked against the size and hash the entry recorded (`CachedEntry`).
public enum ResultFiles {
    /// The attribution map of a per-image explain entry (a joint entry keeps one per image slot),
    /// finite values only.
    public static func map(in entry: CachedEntry) throws -> Tensor {
        try entry.array(ExplainEntry.Paths(slot: nil).map, finite: true)
    }

    /// The id of the task rendering the overlay of the explanation task `explanation`.
    public static func overlayTask(of explanation: String) -> String {
        TaskID.overlay(of: explanation)
    }

    /// The overlay PNG bytes of a render entry.
    public static func overlay(in entry: CachedEntry) throws -> Data {
        try RenderEntry.overlay(entry)
    }
}
