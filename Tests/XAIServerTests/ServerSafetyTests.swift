import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import XAIImaging
import XAIManifest
import XCTest
@testable import XAIServer

/// Each safety rule of the server (issue 15, item 5) with a request that it must refuse.
final class ServerSafetyTests: ServerTestCase {
    /// A job that never finishes until the test says so.
    final class Gate: @unchecked Sendable {
        let lock = NSLock()
        var open = false
        func wait() async {
            while !(lock.withLock { open }) { try? await Task.sleep(nanoseconds: 10_000_000) }
        }
    }

    func gatedServer(_ gate: Gate, _ edit: (inout ServerConfiguration) -> Void = { _ in }) -> ViewerServer {
        ViewerServer(configuration: configuration(edit), work: { experiment, _ in
            await gate.wait()
            return JobOutcome(manifest: Manifest(name: experiment.name, experiment: .null, models: [], images: [],
                                                 predictions: [], results: [], failures: []))
        })
    }

    func testBindsLoopbackByDefault() {
        let c = configuration()
        XCTAssertEqual(c.host, "127.0.0.1")
        XCTAssertTrue(ServerConfiguration.isLoopback(c.host))
        XCTAssertFalse(ServerConfiguration.isLoopback("0.0.0.0"))
    }

    func testFilesOutsideTheOutputsFolderAreNotServed() async throws {
        let secret = tmp.appendingPathComponent("secret.png")
        try Data("secret".utf8).write(to: secret)
        let exp = outputs.appendingPathComponent("exp")
        try FileManager.default.createDirectory(at: exp, withIntermediateDirectories: true)
        try Data("inside".utf8).write(to: exp.appendingPathComponent("ok.png"))
        try FileManager.default.createSymbolicLink(at: exp.appendingPathComponent("link.png"), withDestinationURL: secret)
        try FileManager.default.createSymbolicLink(at: outputs.appendingPathComponent("out"), withDestinationURL: tmp)
        try Data("db".utf8).write(to: outputs.appendingPathComponent(".runs.png"))
        try await application(gatedServer(Gate())).test(.router) { client in
            try await client.execute(uri: "/files/exp/ok.png", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(String(buffer: r.body), "inside")
                XCTAssertEqual(r.headers[.contentType], "image/png")
            }
            for uri in ["/files/%2e%2e/secret.png", "/files/exp/%2e%2e/%2e%2e/secret.png", "/files/exp%2f..%2f..%2fsecret.png",
                        "/files/.runs.png", "/files/%2Fetc%2Fpasswd.png", "/files/exp/ok.exe"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertNotEqual(r.status, .ok, uri)
                    XCTAssertFalse(String(buffer: r.body).contains("secret"), uri)
                }
            }
            for uri in ["/files/exp/link.png", "/files/out/secret.png"] {
                try await client.execute(uri: uri, method: .get) { r in XCTAssertEqual(r.status, .notFound, uri) }
            }
        }
    }

    func testStateChangingRequestsNeedSameOriginAndJSONOrMultipart() async throws {
        let (body, headers) = Self.explainBody(image: [1, 2, 3], request: Self.gradcamRequest)
        try await application(gatedServer(Gate())).test(.router) { client in
            var cross = headers
            cross[.origin] = "http://evil.example"
            try await client.execute(uri: "/api/explain", method: .post, headers: cross, body: body) { r in
                XCTAssertEqual(r.status, .forbidden)
            }
            var fetchSite = headers
            fetchSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            try await client.execute(uri: "/api/explain", method: .post, headers: fetchSite, body: body) { r in
                XCTAssertEqual(r.status, .forbidden)
            }
            try await client.execute(uri: "/api/explain", method: .post, headers: [.contentType: "text/plain"], body: body) { r in
                XCTAssertEqual(r.status, .unsupportedMediaType)
            }
            try await client.execute(uri: "/api/explain", method: .post,
                                     headers: [.contentType: "application/x-www-form-urlencoded"], body: body) { r in
                XCTAssertEqual(r.status, .unsupportedMediaType)
            }
            // A client that is not a browser passes the check and reaches the upload's own
            // validation (not an image); a same-origin browser request is checked below.
            try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .badRequest)
            }
        }
        XCTAssertNoThrow(try SameOriginMiddleware<BasicRequestContext>.check(
            method: .post, headers: [.contentType: "application/json", .origin: "http://127.0.0.1:8017"], authority: "127.0.0.1:8017"))
        XCTAssertThrowsError(try SameOriginMiddleware<BasicRequestContext>.check(
            method: .post, headers: [.contentType: "application/json", .origin: "http://127.0.0.1:8018"], authority: "127.0.0.1:8017"))
    }

    func testUploadsOverTheByteLimitAre413() async throws {
        let (body, headers) = Self.explainBody(image: [UInt8](repeating: 7, count: 5000), request: Self.gradcamRequest)
        try await application(gatedServer(Gate()) { $0.maxUploadBytes = 4096 }).test(.router) { client in
            try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
                XCTAssertTrue(String(buffer: r.body).contains("4096"))
            }
        }
    }

    /// gradient_shap's `baselines:` may name a folder in an experiment file, never in a request:
    /// a web client must not make the server read its own folders.
    func testARequestCannotNameAFolderOfTheServer() async throws {
        let request = #"{"methods": {"gs": {"method": "gradient_shap", "baselines": "Experiments/images"}}}"#
        let (body, headers) = Self.explainBody(image: try Self.chelsea, request: request)
        try await application(gatedServer(Gate())).test(.router) { client in
            try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(String(buffer: r.body).contains("would name a folder on the server"), String(buffer: r.body))
            }
        }
    }

    func testUploadsOverThePixelLimitAre400() async throws {
        let png = try ImageIO.encodePNG(RGBImage(width: 200, height: 100, color: (0.5, 0.5, 0.5)))
        let (body, headers) = Self.explainBody(image: png, request: Self.gradcamRequest)
        try await application(gatedServer(Gate()) { $0.maxUploadPixels = 10_000 }).test(.router) { client in
            try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(String(buffer: r.body).contains("pixels"), String(buffer: r.body))
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outputs.appendingPathComponent("uploads").path),
                       "a refused upload is not stored")
    }

    func testAFullQueueAnswers429AndAcceptsAgainWhenAJobFinishes() async throws {
        let gate = Gate()
        let (body, headers) = Self.explainBody(image: try Self.chelsea, request: Self.gradcamRequest)
        try await application(gatedServer(gate) { $0.queueCapacity = 2 }).test(.router) { client in
            var ids = [String]()
            for _ in 0..<2 {
                try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                    XCTAssertEqual(r.status, .accepted, String(buffer: r.body))
                    ids.append(try self.decode([String: String].self, r)["job"] ?? "")
                }
            }
            try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .tooManyRequests)
                XCTAssertEqual(r.headers[.retryAfter], "2")
            }
            gate.lock.withLock { gate.open = true }
            for id in ids {
                let job = try await self.waitForJob(client, id)
                XCTAssertEqual(job.state, .done)
            }
            try await client.execute(uri: "/api/explain", method: .post, headers: headers, body: body) { r in
                XCTAssertEqual(r.status, .accepted)
            }
        }
    }

    func testAWatcherThatGoesAwayCancelsNothing() async throws {
        let gate = Gate()
        let queue = JobQueue(capacity: 4, keepFinished: 4) { experiment, _ in
            await gate.wait()
            return JobOutcome(manifest: Manifest(name: "x", experiment: .null, models: [], images: [], predictions: [],
                                                 results: [], failures: []))
        }
        let experiment = try loadWithRepositoryFiles("""
        schema: 1
        name: watched
        images: [Experiments/images/chelsea.png]
        methods: {gradcam: {}}
        """)
        let job = try await queue.submit(experiment)
        // One watcher reads the first event and disconnects; another stays.
        let watchLeaving = await queue.watch(job.id), watchStaying = await queue.watch(job.id)
        let leaving = try XCTUnwrap(watchLeaving), staying = try XCTUnwrap(watchStaying)
        let reader = Task { for await _ in leaving { break } }
        await reader.value
        gate.lock.withLock { gate.open = true }
        var last: JobSnapshot?
        for await s in staying { last = s }
        XCTAssertEqual(last?.state, .done, "the job finished although a watcher left")
        let snapshot = await queue.snapshot(job.id)
        XCTAssertEqual(snapshot?.state, .done)
    }

    func testTheViewerWritesTextOnlyAsText() {
        // Names, labels and messages come from manifests and uploads: never parsed as HTML.
        XCTAssertFalse(ViewerScript.source.contains("innerHTML"))
        XCTAssertFalse(ViewerScript.source.contains("outerHTML"))
        XCTAssertFalse(ViewerScript.source.contains("insertAdjacentHTML"))
        XCTAssertFalse(ViewerScript.source.contains("document.write"))
        XCTAssertFalse(ViewerPage.html.contains("http://") || ViewerPage.html.contains("https://"), "nothing from other hosts")
    }
}
