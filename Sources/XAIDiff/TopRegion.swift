import Foundation

/// The top-k% region of an attribution map and the overlap of two such regions.
///
/// The region of a map with n values is every value at least as large as its m-th largest,
/// m = max(1, round(fraction * n)): values tied at the threshold are all in (so the region
/// can hold more than m values, and never depends on pixel order). Values are taken as they
/// are: for a signed map the region is the strongest evidence for the class, not against it.
public enum TopRegion {
    /// Whether each value is in the top `fraction` (0 < fraction <= 1) of `values`.
    public static func mask(_ values: [Float], fraction: Double) -> [Bool] {
        guard !values.isEmpty else { return [] }
        let m = min(values.count, max(1, Int((fraction * Double(values.count)).rounded())))
        let threshold = values.sorted(by: >)[m - 1]
        return values.map { $0 >= threshold }
    }

    /// Intersection over union of the top-`fraction` regions of two maps of equal size.
    public static func iou(_ a: [Float], _ b: [Float], fraction: Double) -> Double {
        precondition(a.count == b.count, "iou: \(a.count) values against \(b.count)")
        let ma = mask(a, fraction: fraction), mb = mask(b, fraction: fraction)
        var both = 0, either = 0
        for i in ma.indices {
            if ma[i] && mb[i] { both += 1 }
            if ma[i] || mb[i] { either += 1 }
        }
        return either == 0 ? 0 : Double(both) / Double(either)
    }
}
