import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import XAIServer

/// Debian's headless Chromium against a live server on loopback: the viewer uploads
/// Experiments/images/chelsea.png through its own form code (`?selftest=`), requests Grad-CAM and
/// shows the overlay; then every static gallery in the repository's Outputs/ loads. Chromium may
/// resolve no host but 127.0.0.1, so a request leaving it fails and is logged; no console message
/// at all is allowed. The test starts and stops every Chromium it runs.
final class BrowserTests: ServerTestCase {
    static let chromium = "/usr/bin/chromium"

    func testViewerUploadAndStaticGalleriesInHeadlessChromium() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.chromium) else {
            throw XCTSkip("\(Self.chromium) is missing: sudo apt-get install -y chromium (make test installs it as root)")
        }
        let selftest = outputs.appendingPathComponent("selftest")
        try FileManager.default.createDirectory(at: selftest, withIntermediateDirectories: true)
        try Data(try Self.chelsea).write(to: selftest.appendingPathComponent("chelsea.png"))
        try await application(engineServer()).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let start = Date()
            let (dom, log) = try self.dumpDOM("http://127.0.0.1:\(port)/?selftest=/files/selftest/chelsea.png")
            print(String(format: "headless Chromium: page load to Grad-CAM overlay in %.1f s", Date().timeIntervalSince(start)))
            XCTAssertTrue(dom.contains(#"data-selftest="overlay-loaded""#), "no overlay shown; console: \(log)")
            XCTAssertTrue(dom.contains(#"data-instance="gradcam""#))
            XCTAssertEqual(log, [], "console messages")
        }
        // The static galleries `xai run` wrote into the repository's Outputs/, served the same way.
        let repositoryOutputs = Self.repositoryRoot.appendingPathComponent("Outputs")
        let server = ViewerServer(configuration: configuration { $0.outputs = repositoryOutputs }, work: { _, _ in
            throw ServerError.badRequest("no jobs in this test")
        })
        let galleries = try ExperimentIndex(files: server.files).entries().compactMap(\.gallery)
        if galleries.isEmpty { print("no static galleries in \(repositoryOutputs.path) (run `make demo` to have some checked)") }
        try await application(server).test(.live) { client in
            for gallery in galleries {
                let (dom, log) = try self.dumpDOM("http://127.0.0.1:\(try XCTUnwrap(client.port))\(gallery)")
                XCTAssertTrue(dom.contains("<table") || dom.contains("<img"), "\(gallery) shows nothing")
                XCTAssertEqual(log, [], "console messages on \(gallery)")
            }
        }
    }

    /// The DOM after the page's scripts ran, and the console lines Chromium logged.
    func dumpDOM(_ url: String) throws -> (String, [String]) {
        let chrome = Process()
        chrome.executableURL = URL(fileURLWithPath: Self.chromium)
        chrome.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                            "--user-data-dir=\(tmp.appendingPathComponent("chromium-profile").path)",
                            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=300000", "--dump-dom", url]
        let out = tmp.appendingPathComponent("dom.html"), err = tmp.appendingPathComponent("chromium.log")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        chrome.standardOutput = try FileHandle(forWritingTo: out)
        chrome.standardError = try FileHandle(forWritingTo: err)
        try chrome.run()
        // Bounded: a hung browser is stopped rather than left behind.
        let deadline = Date().addingTimeInterval(400)
        while chrome.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        if chrome.isRunning {
            chrome.terminate()
            chrome.waitUntilExit()
            XCTFail("Chromium did not finish loading \(url) within 400 s")
        }
        let log = try String(contentsOf: err, encoding: .utf8).split(separator: "\n").filter { $0.contains("CONSOLE") }.map(String.init)
        return (try String(contentsOf: out, encoding: .utf8), log)
    }
}
