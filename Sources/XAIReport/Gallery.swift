import Foundation
import XAICore
import XAIManifest

/// What the gallery knows besides the manifest: the catalogue of the program that wrote it (method
/// traits, metric directions) and the settings of its statistics.
public struct GalleryOptions: Sendable, Equatable {
    /// The methods and metrics, handed in by the CLI so that rendering links no engine.
    public var catalogue: Catalogue
    /// Bootstrap resamples for the averaged metric tables' 95% intervals.
    public var resamples: Int
    /// Seed of those bootstraps (the same seed gives the same intervals).
    public var seed: UInt64

    public init(catalogue: Catalogue, resamples: Int = 1000, seed: UInt64 = 0) {
        self.catalogue = catalogue
        self.resamples = resamples
        self.seed = seed
    }
}

/// The static HTML gallery of a run: `index.html` (overview, images x method instances, sweep
/// strips, metrics tables and plots, failures; a large run's image rows continue on
/// `images-2.html`, ...) and `compare.html` (methods x models x metrics), self-contained pages
/// that open from file:// and reference the run's PNGs by relative path. Rendering is a pure
/// function of the manifest and the catalogue: same inputs, same bytes (no times, no cache state).
public enum Gallery {
    public static let indexFile = "index.html"
    public static let compareFile = "compare.html"
    public static let csvFile = "comparison.csv"
    public static let markdownFile = "comparison.md"

    /// The `index.html` page for `manifest` (paths in it are relative to the manifest's folder).
    public static func render(manifest: Manifest, options: GalleryOptions) -> String {
        pages(manifest: manifest, options: options)[0].html
    }

    /// The `compare.html` page.
    public static func renderComparison(manifest: Manifest, options: GalleryOptions) -> String {
        ComparisonReport.page(manifest: manifest,
                              table: ComparisonTable(manifest: manifest, catalogue: options.catalogue, resamples: options.resamples, seed: options.seed))
    }

    /// Writes the gallery's pages, `compare.html`, `comparison.csv` and `comparison.md` into
    /// `folder` (the manifest's folder), each atomically (temporary file + rename), and removes
    /// continuation pages an earlier, larger run left behind.
    /// - Returns: the files written.
    @discardableResult
    public static func write(_ manifest: Manifest, to folder: URL, options: GalleryOptions) throws -> [URL] {
        let table = ComparisonTable(manifest: manifest, catalogue: options.catalogue, resamples: options.resamples, seed: options.seed)
        let pages = pages(manifest: manifest, options: options)
        let files = pages.map { ($0.file, $0.html) } + [
            (compareFile, ComparisonReport.page(manifest: manifest, table: table)),
            (csvFile, ComparisonReport.csv(table)),
            (markdownFile, ComparisonReport.markdown(table)),
        ]
        let written = try files.map { name, text in
            let url = folder.appendingPathComponent(name)
            try AtomicFile.write(text, to: url)
            return url
        }
        let current = Set(pages.map(\.file))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        where isContinuationPage(name) && !current.contains(name) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        return written
    }

    // MARK: overview

    static func overview(_ h: inout HTMLBuilder, _ m: Manifest) {
        h.open("section", ["id": "overview", "class": "card"])
        h.element("h2", text: "Overview")
        h.open("ul", ["class": "chips"])
        func chip(_ label: String, _ value: String, bad: Bool = false) {
            h.open("li", ["class": bad ? "bad" : nil])
            h.element("b", text: value)
            h.text(" " + label)
            h.close("li")
        }
        chip(m.images.count == 1 ? "image" : "images", "\(m.images.count)")
        chip(m.models.count == 1 ? "model" : "models", "\(m.models.count)")
        chip("method instances", "\(Set(m.results.map(\.instance)).count)")
        chip(m.results.count == 1 ? "explanation" : "explanations", "\(m.results.count)")
        if !m.failures.isEmpty { chip(m.failures.count == 1 ? "failure" : "failures", "\(m.failures.count)", bad: true) }
        h.close("ul")
        h.newline()
        if !m.models.isEmpty {
            h.open("div", ["class": "table-wrap"])
            h.open("table", ["class": "data models"])
            h.raw("<thead><tr><th>model</th><th>file</th><th>input</th><th>target layer</th><th>classes</th><th>SHA-256</th></tr></thead>")
            h.open("tbody")
            for model in m.models {
                h.newline()
                h.open("tr")
                h.element("th", ["scope": "row"], text: model.name)
                h.element("td", ["class": "mono"], text: model.path)
                h.element("td", text: model.inputSize.map(String.init).joined(separator: " × "))
                h.element("td", ["class": "mono"], text: model.targetLayer ?? "–")
                // Labels the model was not given (ImageNet-1k's default, or numbers) are said beside the count.
                h.element("td", ["class": "num"], text: "\(model.classCount)" + (model.labels.map { " · labels: \($0)" } ?? ""))
                h.element("td", ["class": "mono", "title": model.sha256], text: String(model.sha256.prefix(12)))
                h.close("tr")
            }
            h.close("tbody")
            h.close("table")
            h.close("div")
        }
        h.open("details")
        h.element("summary", text: "Resolved experiment")
        h.element("pre", ["class": "mono"], text: experimentText(m.experiment))
        h.close("details")
        h.close("section")
        h.newline()
    }

    static func experimentText(_ v: JSONValue) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let d = try? e.encode(v) else { return "(not encodable)" }
        return String(decoding: d, as: UTF8.self)
    }

    // MARK: failures

    static func failures(_ h: inout HTMLBuilder, _ list: [Manifest.Failure]) {
        h.open("section", ["id": "failures", "class": "card"])
        h.element("h2", text: "Failures")
        h.element("p", ["class": "muted"], text: "These tasks failed; everything else finished. Fix the cause and run again: finished tasks come from the cache.")
        h.open("div", ["class": "table-wrap"])
        h.open("table", ["class": "data failures"])
        h.raw("<thead><tr><th>task</th><th>kind</th><th>image</th><th>model</th><th>method</th><th>parameters</th><th>error</th></tr></thead>")
        h.open("tbody")
        for f in list {
            h.newline()
            h.open("tr")
            h.element("td", ["class": "mono"], text: f.task)
            h.element("td", text: f.kind)
            h.element("td", text: f.image ?? "–")
            h.element("td", text: f.model ?? "–")
            h.element("td", text: f.method ?? "–")
            h.element("td", ["class": "mono wrap"], text: f.params.keys.sorted().map { "\($0)=\(f.params[$0]!)" }.joined(separator: " "))
            h.element("td", ["class": "wrap err"], text: f.message)
            h.close("tr")
        }
        h.close("tbody")
        h.close("table")
        h.close("div")
        h.close("section")
        h.newline()
    }
}
