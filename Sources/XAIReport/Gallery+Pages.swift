import XAICore
import XAIManifest

extension Gallery {
    /// Bytes of image rows (grid cells and per-image metrics) on one page. The first page adds
    /// the overview and the averaged tables; both stay well under 2 MB, so a page of a
    /// 1000-image experiment parses and paints its first screen quickly (pictures load lazily).
    static let rowBytesPerPage = 1_200_000

    /// File of the gallery's page `n` (0-based): `index.html`, then `images-2.html`, ...
    public static func pageFile(_ n: Int) -> String { n == 0 ? indexFile : "images-\(n + 1).html" }

    /// Whether `name` is a continuation page (`images-N.html`).
    static func isContinuationPage(_ name: String) -> Bool {
        guard name.hasPrefix("images-"), name.hasSuffix(".html") else { return false }
        let n = name.dropFirst("images-".count).dropLast(".html".count)
        return !n.isEmpty && n.allSatisfy(\.isASCII) && n.allSatisfy(\.isNumber)
    }

    /// Links to every page, shown above and below the grid when there are several.
    struct Pager {
        var current: Int
        /// Rows (first...last, 1-based) on each page.
        var ranges: [ClosedRange<Int>]
        var rowCount: Int

        func write(_ h: inout HTMLBuilder) {
            h.open("nav", ["class": "pager", "aria-label": "pages"])
            let r = ranges[current]
            h.element("span", ["class": "muted"], text: "images \(r.lowerBound)–\(r.upperBound) of \(rowCount)")
            for (i, range) in ranges.enumerated() {
                h.element("a", ["href": pageFile(i) + "#gallery", "class": i == current ? "here" : nil,
                                "title": "images \(range.lowerBound)–\(range.upperBound)"], text: "\(i + 1)")
            }
            h.close("nav")
            h.newline()
        }
    }

    /// Every page of the gallery: rows packed in order into pages of about `rowBytesPerPage`;
    /// the overview, shared concepts, sweeps, averaged metrics and failures on the first.
    public static func pages(manifest: Manifest, options: GalleryOptions) -> [(file: String, html: String)] {
        let layout = GalleryLayout(manifest: manifest, catalogue: options.catalogue)
        let rows = layout.rows.map { (grid: gridRow($0, manifest, layout), metrics: imageMetrics($0, layout)) }
        var pageRows = [[Int]]()
        var bytes = 0
        for (i, r) in rows.enumerated() {
            let size = r.grid.utf8.count + r.metrics.utf8.count
            if pageRows.isEmpty || bytes + size > rowBytesPerPage {
                pageRows.append([])
                bytes = 0
            }
            pageRows[pageRows.count - 1].append(i)
            bytes += size
        }
        if pageRows.isEmpty { pageRows = [[]] }
        let ranges = pageRows.map { ($0.first ?? 0) + 1...max(($0.last ?? 0) + 1, 1) }
        return pageRows.enumerated().map { n, indices in
            let pager = pageRows.count > 1 ? Pager(current: n, ranges: ranges, rowCount: rows.count) : nil
            return (pageFile(n), page(manifest, layout, options, number: n, grid: indices.map { rows[$0].grid },
                                      metrics: indices.map { rows[$0].metrics }, pager: pager))
        }
    }

    /// Page `number`: the first holds everything about the run as a whole.
    static func page(_ manifest: Manifest, _ layout: GalleryLayout, _ options: GalleryOptions, number: Int,
                     grid rows: [String], metrics: [String], pager: Pager?) -> String {
        let first = number == 0
        let hasMetrics = manifest.results.contains { !$0.metrics.isEmpty }
        let hasSweeps = !layout.sweptColumns.isEmpty
        let joint = first ? jointGroups(manifest) : []
        var sections: [(id: String, label: String)] = first ? [("overview", "Overview"), ("gallery", "Images")] : [("gallery", "Images")]
        if !joint.isEmpty { sections.append(("joint", "Shared concepts")) }
        if first && hasSweeps && hasMetrics { sections.append(("sweeps", "Sweeps")) }
        if first && hasMetrics { sections.append(("metrics", "Metrics")) }
        if !first && metrics.contains(where: { !$0.isEmpty }) { sections.append(("metrics-per-image", "Metrics")) }
        if first && !manifest.failures.isEmpty { sections.append(("failures", "Failures (\(manifest.failures.count))")) }

        var h = HTMLBuilder()
        let colormaps = Set(manifest.results.compactMap { $0.scale?.colormap })
        let title = first ? "\(manifest.name) · xai gallery" : "\(manifest.name) · images, page \(number + 1) · xai gallery"
        Page.begin(&h, title: title, manifest: manifest, current: .gallery, extraStyle: ColorBar.css(for: colormaps), sections: sections)
        if first { overview(&h, manifest) }
        grid(&h, layout, rows: rows, pager: pager)
        if !joint.isEmpty { jointLegends(&h, joint, severalModels: layout.severalModels) }
        if first && hasSweeps && hasMetrics { sweepPlots(&h, layout, manifest) }
        if first && hasMetrics {
            let table = ComparisonTable(manifest: manifest, catalogue: options.catalogue, resamples: options.resamples, seed: options.seed)
            h.raw(ComparisonReport.htmlSection(table, title: "Metrics averaged over images", id: "metrics"))
            h.newline()
        }
        perImageMetrics(&h, metrics)
        if first && !manifest.failures.isEmpty { failures(&h, manifest.failures) }
        Page.end(&h, manifest: manifest)
        return h.output
    }
}
