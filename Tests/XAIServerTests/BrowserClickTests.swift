import Foundation
import Hummingbird
import HummingbirdTesting
import XAICore
import XAIManifest
import XAIReport
import XAIRuns
import XCTest
@testable import XAIServer

/// A user's clicks in the viewer, in Debian's headless Chromium driven with real mouse and
/// keyboard events (`DevToolsBrowser`) against a live server on loopback: filter the grid by image
/// and method, pin a run (and find the pin in the run history), diff two runs (and find the
/// diff's Spearman correlations on the page and on its `diff.html`), and explain an image of the
/// experiment without uploading it. No console message, exception or failed request is allowed.
final class BrowserClickTests: ServerTestCase {
    func testFilterPinDiffAndExplainAnExperimentsImageByClicking() async throws {
        guard FileManager.default.isExecutableFile(atPath: BrowserTests.chromium) else {
            throw XCTSkip("\(BrowserTests.chromium) is missing: sudo apt-get install -y chromium (make test installs it as root)")
        }
        let yaml = "images: [Experiments/images/chelsea.png, Experiments/images/coffee.png]\nmethods: {saliency: {}, gradcam: {}}\n"
        let a = try recordRun("clicked", yaml).id
        let b = try recordRun("clicked", yaml, overrides: ["saliency.reduce=l2"]).id
        let store = try RunStore(outputs: outputs)
        let profile = tmp.appendingPathComponent("chromium-profile"), log = tmp.appendingPathComponent("chromium.log")
        try await application(engineServer()).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            try await Self.onThread {
                let browser = try DevToolsBrowser(executable: BrowserTests.chromium, profile: profile, log: log)
                defer { browser.close() }
                let start = Date()
                try self.clickThrough(browser, port: port, runs: (a, b), store: store)
                print(String(format: "headless Chromium: filters, pin, diff and an experiment's image explained in %.1f s",
                             Date().timeIntervalSince(start)))
                XCTAssertEqual(browser.messages, [], "console messages, exceptions or failed requests")
            }
        }
    }

    private func clickThrough(_ browser: DevToolsBrowser, port: Int, runs: (a: String, b: String), store: RunStore) throws {
        let rows = "[...document.querySelectorAll('#grid tbody tr')].map((r) => r.dataset.image).join(' ')"
        let columns = "[...document.querySelectorAll('#grid thead th')].map((t) => t.textContent).join(' ')"
        try browser.open("http://127.0.0.1:\(port)/")
        try browser.waitUntil("document.querySelector('#experiments button')", what: "the experiment list")
        try browser.click("#experiments button")
        try browser.waitUntil("document.querySelectorAll('#run-list li').length === 2 && document.querySelectorAll('#grid tbody tr').length === 2",
                              what: "the grid and the two runs")
        XCTAssertEqual(try browser.evaluate(rows) as? String, "chelsea coffee")
        XCTAssertEqual(try browser.evaluate(columns) as? String, "image saliency gradcam")

        // Filters: typed and chosen as a user does; the grid shows only what matches.
        try browser.type("coff", into: "#f-image")
        try browser.waitUntil("\(rows) === 'coffee'", timeout: 10, what: "only coffee's row")
        XCTAssertEqual(try browser.evaluate(columns) as? String, "image saliency gradcam")
        try browser.choose("gradcam", in: "#f-method")
        try browser.waitUntil("\(columns) === 'image gradcam'", timeout: 10, what: "only the Grad-CAM column")
        XCTAssertEqual(try browser.evaluate(rows) as? String, "coffee")
        XCTAssertEqual(try browser.evaluate("document.querySelectorAll('#grid tbody td img[alt=gradcam]').length") as? Int, 1)

        // Pin run A: the page shows it, and the run history (what `xai runs` lists and `xai gc` keeps) has it.
        try browser.click("#run-list button.pin-run[data-run='\(runs.a)']")
        try browser.waitUntil("document.querySelector(\"#run-list li[data-run='\(runs.a)']\").classList.contains('pinned')",
                              timeout: 30, what: "run A shown pinned")
        XCTAssertEqual(try store.run(id: runs.a)?.pinned, true)
        XCTAssertEqual(try store.run(id: runs.b)?.pinned, false)
        XCTAssertEqual(try store.keysToKeep(keepLast: 0), Set(try store.tasks(of: runs.a).compactMap(\.key)))

        // Diff A .. B: the viewer shows the Spearman correlation of every pair that `diff.json` holds.
        try browser.choose(runs.a, in: "#diff-a")
        try browser.choose(runs.b, in: "#diff-b")
        try browser.click("#diff-button")
        try browser.waitUntil("document.querySelectorAll('#diff-table td.spearman').length > 0", what: "the diff table")
        let shown = try browser.evaluate("[...document.querySelectorAll('#diff-table td.spearman')].map((td) => [td.dataset.value, td.textContent])")
            as? [[String]] ?? []
        let diff = try JSONDecoder().decode(JSONValue.self, from: Data(try RegularFile.read(
            outputs.appendingPathComponent("diffs/\(runs.a)..\(runs.b)/diff.json").path, maxBytes: 1 << 24)))
        guard case let .array(pairs)? = diff["pairs"] else { return XCTFail("diff.json has no pairs") }
        let expected = pairs.compactMap { p -> Double? in if case let .number(v)? = p["spearman"] { return v } else { return nil } }
        XCTAssertEqual(expected.count, 4, "2 images x 2 methods")
        XCTAssertEqual(shown.map { Double($0[0]) }, expected.map { Optional($0) }, "Spearman values on the page")
        XCTAssertEqual(shown.map { $0[1] }, expected.map { String(format: "%.3f", $0) })
        XCTAssertTrue(expected.contains { $0 < 1 }, "saliency's l2 reduction changed its maps: \(expected)")

        // Explain coffee from the grid (no upload) with Grad-CAM: the job's map is the experiment's own.
        try browser.click("#grid tbody tr[data-image='coffee'] button.explain-image")
        XCTAssertEqual(try browser.evaluate("document.getElementById('exp-image').value") as? String, "coffee")
        try browser.click("#explain-button")
        try browser.waitUntil("(() => { const i = document.querySelector('img.result-overlay'); return i && i.complete && i.naturalWidth > 0; })()",
                              what: "the Grad-CAM overlay of coffee")
        let status = try browser.evaluate("document.getElementById('status').textContent") as? String ?? ""
        let job = try XCTUnwrap(try store.runs().first, "the job was not recorded")
        XCTAssertTrue(job.experiment.hasPrefix(ExplainRequest.namePrefix), job.experiment)
        XCTAssertTrue(status.contains("recorded as run \(job.id)"), status)
        let ours = try XCTUnwrap(try store.manifest(of: job).results.first)
        let theirs = try XCTUnwrap(try store.manifest(of: try XCTUnwrap(store.run(id: runs.b))).results.first {
            $0.image == "coffee" && $0.method == "gradcam"
        })
        XCTAssertEqual(ours.key, theirs.key, "the same image, model and method: the same cache entry")

        // The diff's own page, opened from its link, writes the same correlations.
        try browser.click("#diff-links a[href$='diff.html']")
        try browser.waitUntil("location.pathname.endsWith('/diff.html') && document.readyState === 'complete'",
                              timeout: 30, what: "diff.html")
        let written = try browser.evaluate("[...document.querySelectorAll('section > p')].map((p) => p.textContent)"
                                           + ".filter((t) => t.startsWith('spearman '))") as? [String] ?? []
        XCTAssertEqual(written.map { $0.components(separatedBy: " · ")[0] }, expected.map { "spearman " + NumberFormat.short($0) })
    }

    /// Runs blocking work (the browser's protocol) on its own thread, off the concurrency pool
    /// that serves the requests it makes.
    static func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
            Thread.detachNewThread { done.resume(with: Result { try body() }) }
        }
    }
}
