import Foundation
import XCTest
import XAICore
import XAIManifest
@testable import XAIReport

final class GalleryStructureTests: XCTestCase {
    func occurrences(_ needle: String, in hay: String) -> Int {
        hay.components(separatedBy: needle).count - 1
    }

    func testEveryOverlayAndPictureIsReferencedExactlyOnce() {
        let m = Fixture.manifest()
        let page = Gallery.render(manifest: m)
        for r in m.results {
            let paths = [r.overlay].compactMap { $0 } + r.pictures.values.sorted()
            for p in paths {
                let src = "src=\"\(HTML.relativeURL(p)!)\""
                XCTAssertEqual(occurrences(src, in: page), 1, "\(p) should appear once")
            }
            XCTAssertEqual(occurrences("data-task=\"\(HTML.escape(r.task))\"", in: page), 1, r.task)
        }
        // Each image's input picture is shown in its row header.
        for image in m.images {
            XCTAssertEqual(occurrences("src=\"\(HTML.relativeURL(image.inputs["tiny"]!)!)\"", in: page), 1)
        }
    }

    func testLabelsNamesAndPathsAreEscaped() {
        let page = Gallery.render(manifest: Fixture.manifest())
        XCTAssertFalse(page.contains("<script"), "an image named <script> must show as text")
        XCTAssertFalse(page.contains("<b>tiger"), "labels must be escaped")
        XCTAssertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)"))
        XCTAssertTrue(page.contains("&lt;b&gt;tiger&lt;/b&gt; cat"))
        XCTAssertTrue(page.contains("tabby &quot;cat&quot;"))
        XCTAssertTrue(page.contains("coffee &amp; mug"))
        // The path with `<script>` is percent-encoded in src, and also HTML-safe.
        XCTAssertTrue(page.contains("src=\"overlays/%3Cscript%3Ealert%28%27x%27%29/gradcam.png\""))
        // Parameters in sweep strips with `@` and `=` are encoded in the URL.
        XCTAssertTrue(page.contains("src=\"overlays/chelsea/ig%40steps%3D16.png\""))
        // The failure's message is escaped too.
        XCTAssertTrue(page.contains("infinite values &lt;here&gt;"))
    }

    func testAttributeValuesCannotBreakOut() {
        var m = Fixture.manifest()
        m.results[0].task = "a\" onmouseover=\"alert(1)"
        m.results[0].instance = "x' onclick='y"
        let page = Gallery.render(manifest: m)
        XCTAssertFalse(page.contains("\" onmouseover=\""))
        XCTAssertFalse(page.contains("' onclick='"))
        XCTAssertTrue(page.contains("data-task=\"a&quot; onmouseover=&quot;alert(1)\""))
    }

    func testPathsLeavingTheFolderAreNotLoaded() {
        var m = Fixture.manifest()
        m.results[0].overlay = "../../etc/passwd"
        m.results[1].overlay = "/etc/passwd"
        m.results[2].overlay = "javascript:alert(1)"
        let page = Gallery.render(manifest: m)
        XCTAssertFalse(page.contains("src=\"../"))
        XCTAssertFalse(page.contains("src=\"/"))
        XCTAssertFalse(page.contains("src=\"javascript:"))
        XCTAssertTrue(page.contains("src=\"javascript%3Aalert%281%29\""), "a colon cannot start a URL scheme")
        XCTAssertTrue(page.contains("path outside the gallery folder): ../../etc/passwd"))
    }

    func testNoNetworkReferences() {
        let m = Fixture.manifest()
        for page in [Gallery.render(manifest: m), Gallery.renderComparison(manifest: m)] {
            XCTAssertFalse(page.contains("http://"))
            XCTAssertFalse(page.contains("https://"))
            XCTAssertFalse(page.contains("<link"))
            XCTAssertFalse(page.contains("@import"))
            XCTAssertFalse(page.lowercased().contains("<script"))
        }
    }

    func testRenderingIsDeterministic() {
        let a = Gallery.render(manifest: Fixture.manifest())
        let b = Gallery.render(manifest: Fixture.manifest())
        XCTAssertEqual(a, b)
        // A manifest that went through JSON (dictionaries rebuilt in another order) gives the same page.
        let data = try! Fixture.manifest().encoded()
        let decoded = try! JSONDecoder().decode(Manifest.self, from: data)
        XCTAssertEqual(Gallery.render(manifest: decoded), a)
    }

    func testSweepStripIsOrderedBySweptValue() throws {
        let page = Gallery.render(manifest: Fixture.manifest())
        let s16 = try XCTUnwrap(page.range(of: "chelsea/ig@steps=16\"")), s64 = try XCTUnwrap(page.range(of: "chelsea/ig@steps=64\""))
        XCTAssertLessThan(s16.lowerBound, s64.lowerBound, "steps=16 comes before steps=64 in the strip")
        XCTAssertTrue(page.contains("sweep of steps"))
        XCTAssertTrue(page.contains("<span class=\"swept\">steps=16</span>"))
    }

    func testColourBarShowsScaleAndDivergingCentre() {
        let page = Gallery.render(manifest: Fixture.manifest())
        XCTAssertTrue(page.contains(".cm-coolwarm { background: linear-gradient(to right, "))
        XCTAssertTrue(page.contains(".cm-jet { background: linear-gradient(to right, #000080 0%, "))
        XCTAssertTrue(page.contains("<div class=\"cbar-ticks\"><span>-0.5</span><span>0</span><span>0.5</span></div>"))
        XCTAssertTrue(page.contains("<div class=\"cbar-ticks\"><span>0</span><span>0.75</span></div>"))
        XCTAssertTrue(page.contains("(min to 99.5th percentile; 0.5% saturated)"))
    }

    func testDFFLegendAndPictures() {
        let page = Gallery.render(manifest: Fixture.manifest())
        // Sorted by concept index, colours from the legend, labels with scores.
        let red = page.range(of: "style=\"background: #ff0000\"")!, blue = page.range(of: "style=\"background: #0080ff\"")!
        XCTAssertLessThan(red.lowerBound, blue.lowerBound)
        XCTAssertTrue(page.contains("tabby &quot;cat&quot; 0.75, &lt;b&gt;tiger&lt;/b&gt; cat 0.20"))
        XCTAssertTrue(page.contains("<figcaption>concept-0</figcaption>"))
    }

    /// With a second explained class, a class-independent method (DFF) has no result in the
    /// second row and says why instead of "not run".
    func testClassIndependentMethodsSayTheyAreTheSameForEveryClass() throws {
        var m = Fixture.manifest()
        var second = try XCTUnwrap(m.results.first { $0.image == "chelsea" && $0.method == "gradcam" })
        second.target = Fixture.target(1, "tiger cat", 0.25, rank: 2)
        second.run = "gradcam#2"
        second.task = "chelsea/gradcam#2"
        second.map = "maps/chelsea/gradcam#2.npy"
        second.overlay = "overlays/chelsea/gradcam#2.png"
        m.results.append(second)
        let page = Gallery.render(manifest: m)
        XCTAssertEqual(occurrences("the same for every class (first row)", in: page), 1)
        XCTAssertFalse(page.contains(">not run<"))
    }

    func testFailuresAreListed() {
        let page = Gallery.render(manifest: Fixture.manifest())
        XCTAssertTrue(page.contains("<section id=\"failures\""))
        XCTAssertTrue(page.contains("<td class=\"mono\">chelsea/lime</td>"))
        XCTAssertTrue(page.contains("kernel_width=0.25 samples=100"))
        XCTAssertTrue(page.contains("href=\"#failures\""))
    }

    func testMetricsTablesAndCurves() {
        let page = Gallery.render(manifest: Fixture.manifest())
        XCTAssertTrue(page.contains("<h2>Metrics averaged over images</h2>"))
        XCTAssertTrue(page.contains("<h2>Metrics per image</h2>"))
        XCTAssertTrue(page.contains("aria-label=\"deletion curve\""))
        XCTAssertTrue(page.contains("aria-label=\"ig: deletion ↓\""), "metric against the swept parameter")
        XCTAssertEqual(occurrences("<svg class=\"plot\"", in: page), 2 * 2 + 2 + 2 * 2,
                       "2 curves x 2 images, 2 sweep summary plots, 2 strip plots x 2 images")
    }

    func testEmptyManifest() {
        let m = Manifest(name: "empty", experiment: .null, models: [], images: [], predictions: [], results: [], failures: [])
        let page = Gallery.render(manifest: m)
        XCTAssertTrue(page.contains("No explanations in this run."))
        XCTAssertFalse(page.contains("id=\"metrics\""))
        XCTAssertTrue(page.hasSuffix("</html>\n"))
    }

    func testWriteIsAtomicAndRepeatable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xai-report-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Gallery.write(Fixture.manifest(), to: dir)
        XCTAssertEqual(files.map(\.lastPathComponent), ["index.html", "compare.html", "comparison.csv", "comparison.md"])
        let first = try files.map { try Data(contentsOf: $0) }
        try Gallery.write(Fixture.manifest(), to: dir)
        XCTAssertEqual(try files.map { try Data(contentsOf: $0) }, first)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(left, ["compare.html", "comparison.csv", "comparison.md", "index.html"], "no temporary files left")
    }
}
