import Foundation

/// Where an explanation's files lie in the cache, for tools that read an earlier run's results
/// by their keys (`xai diff`) rather than from `Outputs/<name>/`, which the next run overwrites.
/// The layouts stay private to their entry types; this only forwards to them.
public enum ResultFiles {
    /// The attribution map (`.npy`) of a per-image explain entry (a joint entry keeps one per image slot).
    public static func map(in entry: CachedEntry) -> URL {
        entry.url(ExplainEntry.Paths(slot: nil).map)
    }

    /// The id of the task rendering the overlay of the explanation task `explanation`.
    public static func overlayTask(of explanation: String) -> String {
        TaskID.overlay(of: explanation)
    }

    /// The overlay PNG of a render entry.
    public static func overlay(in entry: CachedEntry) -> URL {
        RenderEntry.overlay(entry)
    }
}
