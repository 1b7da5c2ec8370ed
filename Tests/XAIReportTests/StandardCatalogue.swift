import Foundation
import XAICore
import XAIManifest
import XAIMetrics
@testable import XAIReport

// The report takes its catalogue from the caller; these tests render with the program's own.
extension GalleryOptions {
    static let standard = GalleryOptions(catalogue: .standard)
}

extension Gallery {
    static func render(manifest: Manifest) -> String { render(manifest: manifest, options: .standard) }
    static func renderComparison(manifest: Manifest) -> String { renderComparison(manifest: manifest, options: .standard) }
    @discardableResult
    static func write(_ manifest: Manifest, to folder: URL) throws -> [URL] { try write(manifest, to: folder, options: .standard) }
}

extension ComparisonTable {
    init(manifest: Manifest, resamples: Int = 1000, seed: UInt64 = 0) {
        self.init(manifest: manifest, catalogue: .standard, resamples: resamples, seed: seed)
    }
}

extension GalleryLayout {
    init(manifest: Manifest) { self.init(manifest: manifest, catalogue: .standard) }
}

extension MetricInfo {
    init(id: String) { self.init(id: id, catalogue: .standard) }
}
