import Foundation
import XCTest
import XAICore
import XAIManifest
@testable import XAIReport

/// The gallery at the sizes and shapes real experiments have: sweeps only, many methods,
/// a thousand images, and runs that differ only in what the cache held.
final class GalleryScaleTests: XCTestCase {
    /// `images` x `methods` Grad-CAM-like results with two curve metrics each.
    static func large(images: Int, methods: Int) -> Manifest {
        var m = Fixture.manifest()
        m.failures = []
        let t = Fixture.target(0, "tabby", 0.5)
        m.images = (0..<images).map { i in
            Manifest.Image(id: "img\(i)", path: "Experiments/images/img\(i).png", sha256: String(repeating: "0a", count: 32),
                           width: 640, height: 480, inputs: ["tiny": "inputs/img\(i)/tiny.png"])
        }
        m.predictions = m.images.map { Manifest.Prediction(image: $0.id, model: "tiny", top: [t]) }
        let xs = (0...20).map { Double($0) / 20 }
        m.results = m.images.flatMap { image in
            (0..<methods).map { k in
                Manifest.Result(
                    image: image.id, model: "tiny", method: "gradcam", instance: "cam\(k)", run: "cam\(k)",
                    params: ResolvedParams(["relu": .bool(true)]), sweep: ResolvedParams(), target: t,
                    map: "maps/\(image.id)/cam\(k).npy", mapShape: [7, 7], overlay: "overlays/\(image.id)/cam\(k).png",
                    scale: Manifest.Scale(colormap: "jet", lo: 0, hi: 1, signed: false, caption: "range 0 ... 1"),
                    metrics: ["deletion": Manifest.MetricValue(value: 0.2, x: xs, y: xs.map { 1 - $0 * Double(k + 1) / Double(methods) }),
                              "insertion": Manifest.MetricValue(value: 0.6, x: xs, y: xs)],
                    key: "k\(image.id)\(k)", task: "\(image.id)/cam\(k)")
            }
        }
        return m
    }

    func testLargeExperimentIsSplitIntoPagesUnderTwoMegabytes() throws {
        let m = Self.large(images: 1000, methods: 5)
        let pages = Gallery.pages(manifest: m, options: .standard)
        let sizes = pages.map(\.html.utf8.count)
        print("pages: \(pages.count), largest \(sizes.max()!) bytes, total \(sizes.reduce(0, +))")
        XCTAssertGreaterThan(pages.count, 1)
        XCTAssertLessThan(sizes.max()!, 2_000_000)
        XCTAssertEqual(pages.map(\.file).prefix(2), ["index.html", "images-2.html"])
        // Every result's cell is on exactly one page; the overview and averages only on the first.
        var cells: [String: Int] = [:]
        for page in pages {
            for piece in page.html.components(separatedBy: "data-task=\"").dropFirst() {
                cells[String(piece.prefix { $0 != "\"" }), default: 0] += 1
            }
        }
        for r in m.results { XCTAssertEqual(cells[r.task], 1, r.task) }
        XCTAssertTrue(pages[0].html.contains("id=\"overview\""))
        XCTAssertTrue(pages[0].html.contains("id=\"metrics\""))
        XCTAssertFalse(pages[1].html.contains("id=\"overview\""))
        for p in pages { XCTAssertTrue(p.html.contains("class=\"pager\""), p.file) }
    }

    func testWriteRemovesPagesOfAnEarlierLargerRun() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xai-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Gallery.write(Self.large(images: 400, methods: 5), to: dir)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("images-") }
        XCTAssertFalse(before.isEmpty)
        try "keep".write(to: dir.appendingPathComponent("images-notes.html"), atomically: true, encoding: .utf8)
        try Gallery.write(Fixture.manifest(), to: dir)
        let after = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("images-") }
        XCTAssertEqual(after, ["images-notes.html"], "only our own continuation pages are removed")
    }

    func testSweepOnlyExperimentHasNoEmptyColumns() {
        var m = Fixture.manifest()
        m.results = m.results.filter { !$0.sweep.values.isEmpty }
        let page = Gallery.render(manifest: m)
        XCTAssertFalse(page.contains("--cols: 0"))
        XCTAssertTrue(page.contains("class=\"grid sweeps-only\""))
        // One strip per image (ig over steps), beside the image rather than under empty columns.
        XCTAssertEqual(page.components(separatedBy: "class=\"strip\"").count - 1, 2)
    }

    func testPlotNamesEveryLineWhenThereAreMany() {
        let series = (0..<18).map { i in
            SVGPlot.Series(name: "method-\(i)", color: Palette.color(i), points: [(0, 1), (1, Double(i) / 18)])
        }
        let plot = SVGPlot(title: "deletion curve", xLabel: "x", yLabel: "y", series: series, width: 420, height: 250)
        let svg = plot.render()
        for i in 0..<18 { XCTAssertTrue(svg.contains(">method-\(i)</text>"), "method-\(i) missing from the legend") }
        XCTAssertFalse(svg.contains("more</text>"))
        XCTAssertGreaterThan(plot.totalHeight, 250, "the legend goes under the plot")
        // 12 colours: the 13th to 18th lines repeat one and are dashed.
        XCTAssertEqual(svg.components(separatedBy: "stroke-dasharray").count - 1, 2 * 6)
    }

    func testLongMetricNamesKeepTheirValuesVisible() {
        var m = Fixture.manifest()
        m.results[0].metrics["confidence_drop@fraction=0.5,mode=remove"] = Manifest.MetricValue(value: 12.5)
        let page = Gallery.render(manifest: m)
        XCTAssertTrue(page.contains("title=\"confidence_drop@fraction=0.5,mode=remove: "))
    }
}
