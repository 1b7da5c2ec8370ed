import Foundation
import XCTest
@testable import XAIReport

/// The gallery of the fixture manifest must match the checked-in golden page byte for byte.
/// After an intended change, regenerate with `XAI_UPDATE_GOLDEN=1 swift test --filter XAIReportTests`
/// and review the diff.
final class GalleryGoldenTests: XCTestCase {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func check(_ text: String, golden name: String) throws {
        let url = Self.goldenFolder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["XAI_UPDATE_GOLDEN"] == "1" {
            try Data(text.utf8).write(to: url)
            print("updated golden \(url.path)")
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("missing golden file \(url.path); run with XAI_UPDATE_GOLDEN=1 to create it")
        }
        if golden != text {
            let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            XCTFail("""
                \(name) differs from the golden file at line \(i + 1):
                golden: \(i < a.count ? String(a[i].prefix(300)) : "<end>")
                now:    \(i < b.count ? String(b[i].prefix(300)) : "<end>")
                """)
        }
    }

    func testGalleryMatchesGolden() throws {
        try check(Gallery.render(manifest: Fixture.manifest()), golden: "index.html")
    }

    func testComparePageMatchesGolden() throws {
        try check(Gallery.renderComparison(manifest: Fixture.manifest()), golden: "compare.html")
    }

    func testComparisonMarkdownMatchesGolden() throws {
        try check(ComparisonReport.markdown(ComparisonTable(manifest: Fixture.manifest())), golden: "comparison.md")
    }
}
